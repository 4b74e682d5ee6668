package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileImageSourceTest {
  private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

  @TempDir Path temp;
  private Path root;
  private ImageFetcher fetcher;

  @BeforeEach
  void createRoot() throws IOException {
    root = Files.createDirectory(temp.resolve("images"));
    Files.write(root.resolve("cat.png"), IMAGE);
    FetchSettings settings = FetchSettings.builder().optFileRoot(root).optMaxBytes(16).build();
    fetcher = new ImageFetcher(settings, Map.of("file", new FileImageSource(settings)));
  }

  @AfterEach
  void close() {
    fetcher.close();
  }

  @Test
  void shouldReadAFileUnderTheRoot() {
    assertThat(fetcher.fetch(root.resolve("cat.png").toUri().toString())).isEqualTo(IMAGE);
  }

  @Test
  void shouldReadAFileInASubdirectoryAndThroughALinkInsideTheRoot() throws IOException {
    Path sub = Files.createDirectory(root.resolve("sub"));
    Files.write(sub.resolve("dog.png"), IMAGE);
    Files.createSymbolicLink(root.resolve("alias.png"), sub.resolve("dog.png"));

    assertThat(fetcher.fetch(sub.resolve("dog.png").toUri().toString())).isEqualTo(IMAGE);
    assertThat(fetcher.fetch(root.resolve("alias.png").toUri().toString())).isEqualTo(IMAGE);
    assertThat(fetcher.fetch("file://" + root + "/sub/../cat.png")).isEqualTo(IMAGE);
  }

  @Test
  void shouldRefuseDotDotEscape() throws IOException {
    Files.write(temp.resolve("secret.txt"), IMAGE);

    assertProblem("file://" + root + "/../secret.txt", InputProblem.IMAGE_URI_FORBIDDEN)
        .hasMessageContaining("outside the configured image root")
        .hasMessageNotContaining(temp.toString() + "/secret");
    assertProblem("file://" + root + "/%2e%2e/secret.txt", InputProblem.IMAGE_URI_FORBIDDEN);
    assertProblem("file:///etc/passwd", InputProblem.IMAGE_URI_FORBIDDEN);
  }

  @Test
  void shouldRefuseASymbolicLinkLeadingOutOfTheRoot() throws IOException {
    Path secret = Files.write(temp.resolve("secret.png"), IMAGE);
    Files.createSymbolicLink(root.resolve("escape.png"), secret);
    Files.createSymbolicLink(root.resolve("outside"), temp);

    assertProblem(root.resolve("escape.png").toUri().toString(), InputProblem.IMAGE_URI_FORBIDDEN)
        .hasMessageContaining("link");
    assertProblem(
        root.resolve("outside/secret.png").toUri().toString(), InputProblem.IMAGE_URI_FORBIDDEN);
  }

  @Test
  void shouldRefuseADirectory() throws IOException {
    Files.createDirectory(root.resolve("dir"));

    assertProblem(root.resolve("dir").toUri().toString(), InputProblem.IMAGE_URI_FORBIDDEN)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void shouldRefuseAFileOverTheCap() throws IOException {
    Files.write(root.resolve("big.png"), new byte[17]);
    Files.write(root.resolve("exact.png"), new byte[16]);

    assertProblem(root.resolve("big.png").toUri().toString(), InputProblem.IMAGE_TOO_LARGE);
    assertThat(fetcher.fetch(root.resolve("exact.png").toUri().toString())).hasSize(16);
  }

  @Test
  void shouldReportAMissingFileAsNotFound() {
    assertProblem(root.resolve("missing.png").toUri().toString(), InputProblem.IMAGE_NOT_FOUND);
  }

  @Test
  void shouldRefuseFileUrisWithAHost() {
    assertProblem("file://server/images/cat.png", InputProblem.INVALID_IMAGE_URI);
  }

  @Test
  void shouldFailStartUpWhenTheRootIsMissing() {
    FetchSettings settings = FetchSettings.builder().optFileRoot(temp.resolve("absent")).build();

    assertThatThrownBy(() -> new FileImageSource(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fileRoot");
  }

  private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertProblem(
      String uri, InputProblem problem) {
    return assertThatThrownBy(() -> fetcher.fetch(uri))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.problem()).isEqualTo(problem));
  }
}
