package io.engagementscorer.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration variables as {@code --help} prints them, read from the configuration reference
 * ({@code docs/configuration.md}, which the build puts beside this class). That page is the one
 * list: {@code ConfigurationReferenceTest} keeps it in step with the variables this package reads.
 */
public final class ConfigurationHelp {
  private static final String REFERENCE = "configuration.md";
  private static final Pattern ROW =
      Pattern.compile("^\\| (`[A-Z][^|]*?) \\| ([^|]*) \\| (.*) \\|$");
  private static final int NAME_WIDTH = 32;
  private static final Pattern LINK = Pattern.compile("\\[([^]]+)]\\([^)]*\\)");

  private ConfigurationHelp() {}

  /**
   * One line per row of the reference's tables: the variables, their default and their meaning,
   * without Markdown.
   *
   * @return the lines, in the page's order
   * @throws UncheckedIOException when the reference is not on the classpath
   */
  public static List<String> variables() {
    List<String> lines = new ArrayList<>();
    for (String line : reference().lines().toList()) {
      Matcher row = ROW.matcher(line.strip());
      if (row.matches()) {
        String names = plain(row.group(1));
        String defaultValue = plain(row.group(2));
        String meaning =
            (defaultValue.isEmpty() ? "" : "[" + defaultValue + "] ") + plain(row.group(3));
        if (names.length() > NAME_WIDTH) {
          lines.add("  " + names);
          lines.add(String.format("  %-" + NAME_WIDTH + "s %s", "", meaning));
        } else {
          lines.add(String.format("  %-" + NAME_WIDTH + "s %s", names, meaning));
        }
      }
    }
    return lines;
  }

  private static String plain(String markdown) {
    return LINK.matcher(markdown).replaceAll("$1").replace("`", "").strip();
  }

  private static String reference() {
    try (InputStream in = ConfigurationHelp.class.getResourceAsStream(REFERENCE)) {
      if (in == null) {
        throw new IOException(
            REFERENCE + " is not on the classpath beside " + ConfigurationHelp.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the configuration reference", e);
    }
  }
}
