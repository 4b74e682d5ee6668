package io.engagementscorer.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .env} file as the original Python service did (python-dotenv): {@code KEY=VALUE}
 * lines, {@code #} comments, an optional {@code export } prefix, values optionally in single or
 * double quotes. Variables set in the real environment win over the file.
 */
public final class DotEnvFile {
  private DotEnvFile() {}

  /**
   * The environment overlaid on the file's values; a missing file yields the environment as is.
   *
   * @throws ConfigException when a line is not a {@code KEY=VALUE} assignment
   */
  public static Map<String, String> overlay(Path file, Map<String, String> environment) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      merged.putAll(parse(file, readLines(file)));
    }
    merged.putAll(environment);
    return merged;
  }

  static Map<String, String> parse(Path file, List<String> lines) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int index = 0; index < lines.size(); index++) {
      String line = lines.get(index).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).strip();
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw new ConfigException(
            file + " line " + (index + 1) + ": expected KEY=VALUE, got '" + line + "'");
      }
      values.put(line.substring(0, equals).strip(), unquote(line.substring(equals + 1).strip()));
    }
    return values;
  }

  private static String unquote(String value) {
    if (value.length() >= 2) {
      char first = value.charAt(0);
      char last = value.charAt(value.length() - 1);
      if ((first == '"' || first == '\'') && first == last) {
        return value.substring(1, value.length() - 1);
      }
    }
    int comment = value.indexOf(" #");
    return comment >= 0 ? value.substring(0, comment).strip() : value;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
