package io.engagementscorer.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the README and the docs points at a file of the repository and, with a
 * {@code #fragment}, at a heading of that file (GitHub's anchor rules).
 */
class DocumentationLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);
  private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");

  static List<Path> documents() {
    List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    documents.add(Path.of("ops/README.md"));
    documents.add(Path.of("models/README.md"));
    return documents;
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
  static String anchor(String heading) {
    String text = heading.trim().toLowerCase(Locale.ROOT).replace("`", "");
    return text.replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> anchors(Path file) {
    Set<String> anchors = new HashSet<>();
    Matcher heading = HEADING.matcher(FENCE.matcher(read(file)).replaceAll(""));
    while (heading.find()) {
      anchors.add(anchor(heading.group(1)));
    }
    return anchors;
  }

  @Test
  void shouldReadHeadingsAsGitHubAnchorsThem() {
    assertThat(anchor("Models from S3, and hot reload")).isEqualTo("models-from-s3-and-hot-reload");
    assertThat(anchor("Set-up: the two commands")).isEqualTo("set-up-the-two-commands");
    assertThat(anchor("`GET /api/v1/health`")).isEqualTo("get-apiv1health");
  }

  @Test
  void shouldLinkOnlyToFilesAndHeadingsThatExist() {
    List<String> broken = new ArrayList<>();
    for (Path document : documents()) {
      Matcher link = LINK.matcher(FENCE.matcher(read(document)).replaceAll(""));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? document : document.resolveSibling(file).normalize();
        if (!Files.exists(linked)) {
          broken.add(document + ": " + target + " (no such file)");
        } else if (hash >= 0 && !anchors(linked).contains(target.substring(hash + 1))) {
          broken.add(document + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
  }
}
