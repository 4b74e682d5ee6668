package io.engagementscorer.bundles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.model.ModelBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleArchiveTest {
  private static final long LIMIT = 64L * 1024 * 1024;

  @TempDir Path dir;

  private Path archive(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("bundle.tar.gz"), bytes);
  }

  @Test
  void shouldUnpackABundleThatThenVerifies() throws IOException {
    Path unpacked =
        BundleArchive.unpack(
            archive(BundleArchives.tarGz(BundleFixtures.TINY)), dir.resolve("out"), LIMIT);

    assertThat(unpacked).isEqualTo(dir.resolve("out"));
    assertThat(ModelBundle.open(unpacked).manifest().version()).isEqualTo("tiny-1");
  }

  @Test
  void shouldAcceptAnArchiveHoldingOneBundleFolder() throws IOException {
    Map<String, byte[]> nested = new LinkedHashMap<>();
    BundleArchives.filesOf(BundleFixtures.TINY)
        .forEach((name, content) -> nested.put("tiny/" + name, content));

    Path unpacked =
        BundleArchive.unpack(archive(BundleArchives.tarGz(nested)), dir.resolve("out"), LIMIT);

    assertThat(unpacked).isEqualTo(dir.resolve("out/tiny"));
    assertThat(ModelBundle.open(unpacked).manifest().version()).isEqualTo("tiny-1");
  }

  @Test
  void shouldRefuseAnEntryThatClimbsOutOfTheFolder() throws IOException {
    Path archive = archive(BundleArchives.tarGz(Map.of("../escaped.txt", bytes("x"))));

    assertRejected(archive, "outside the bundle folder");
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
  }

  @Test
  void shouldRefuseLinks() throws IOException {
    Path archive = archive(BundleArchives.tarGzWithLink("regressor.pt", "/etc/passwd"));

    assertRejected(archive, "link or special file");
  }

  @Test
  void shouldRefuseAnArchiveThatUnpacksBeyondTheLimit() throws IOException {
    byte[] big = new byte[4096];
    Path archive = archive(BundleArchives.tarGz(Map.of("big.bin", big)));

    assertThatThrownBy(() -> BundleArchive.unpack(archive, dir.resolve("out"), 1024))
        .isInstanceOf(BundleSourceException.class)
        .hasMessageContaining("MODEL_MAX_BUNDLE_BYTES");
  }

  @Test
  void shouldRefuseACorruptArchive() throws IOException {
    byte[] good = BundleArchives.tarGz(BundleFixtures.TINY);
    Path archive = archive(Arrays.copyOf(good, good.length / 2));

    assertRejected(archive, "corrupt");
  }

  @Test
  void shouldRefuseAnArchiveWithoutAManifest() throws IOException {
    Path archive = archive(BundleArchives.tarGz(Map.of("notes.txt", bytes("hello"))));

    assertRejected(archive, "no manifest.json");
  }

  private void assertRejected(Path archive, String message) {
    assertThatThrownBy(() -> BundleArchive.unpack(archive, dir.resolve("out"), LIMIT))
        .isInstanceOfSatisfying(BundleSourceException.class, e -> assertThat(e.rejected()).isTrue())
        .hasMessageContaining(message);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
