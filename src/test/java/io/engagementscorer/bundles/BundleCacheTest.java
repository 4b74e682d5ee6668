package io.engagementscorer.bundles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.model.BundleFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCacheTest {
  private static final long LIMIT = 64L * 1024 * 1024;
  private static final byte[] ARCHIVE = BundleArchives.tarGz(BundleFixtures.TINY);
  private static final String ETAG = md5(ARCHIVE);

  @TempDir Path root;
  private final AtomicInteger downloads = new AtomicInteger();

  private BundleCache.Entry obtain(BundleCache cache, byte[] archive, String etag) {
    return cache.obtain(
        "models",
        "engagement/current.tar.gz",
        etag,
        archive.length,
        file -> {
          downloads.incrementAndGet();
          write(file, archive);
          return '"' + etag + '"';
        });
  }

  @Test
  void shouldDownloadOnceAndThenServeTheVerifiedCopy() {
    BundleCache cache = new BundleCache(root, LIMIT);

    BundleCache.Entry first = obtain(cache, ARCHIVE, ETAG);
    BundleCache.Entry second = obtain(new BundleCache(root, LIMIT), ARCHIVE, ETAG);

    assertThat(first.downloaded()).isTrue();
    assertThat(second.downloaded()).isFalse();
    assertThat(downloads).hasValue(1);
    assertThat(second.bundle().directory()).isEqualTo(first.bundle().directory());
    assertThat(second.bundle().manifest().version()).isEqualTo("tiny-1");
    assertThat(second.info().etag()).isEqualTo(ETAG);
    assertThat(partials()).isEmpty();
  }

  @Test
  void shouldDownloadAgainWhenTheCachedCopyNoLongerVerifies() throws IOException {
    BundleCache cache = new BundleCache(root, LIMIT);
    Path regressor = obtain(cache, ARCHIVE, ETAG).bundle().file("regressor.pt");
    Files.write(regressor, new byte[] {1, 2, 3});

    BundleCache.Entry again = obtain(cache, ARCHIVE, ETAG);

    assertThat(again.downloaded()).isTrue();
    assertThat(downloads).hasValue(2);
  }

  @Test
  void shouldRejectADownloadWhoseBytesDoNotMatchTheEtag() {
    byte[] tampered = ARCHIVE.clone();
    tampered[tampered.length - 1] ^= 1;

    assertThatThrownBy(() -> obtain(new BundleCache(root, LIMIT), tampered, ETAG))
        .isInstanceOfSatisfying(BundleSourceException.class, e -> assertThat(e.rejected()).isTrue())
        .hasMessageContaining("MD5");
    assertThat(partials()).isEmpty();
    assertThat(new BundleCache(root, LIMIT).newest("models", "engagement/current.tar.gz"))
        .isEmpty();
  }

  @Test
  void shouldRejectADownloadThatWasCutShort() {
    BundleCache cache = new BundleCache(root, LIMIT);

    assertThatThrownBy(
            () ->
                cache.obtain(
                    "models",
                    "k.tar.gz",
                    ETAG,
                    ARCHIVE.length,
                    file -> {
                      write(file, java.util.Arrays.copyOf(ARCHIVE, 100));
                      return ETAG;
                    }))
        .isInstanceOf(BundleSourceException.class)
        .hasMessageContaining("cut short");
  }

  @Test
  void shouldRejectABundleWhoseFilesDoNotMatchItsManifest(@TempDir Path work) {
    Path broken = BundleFixtures.copyOfTiny(work.resolve("broken"));
    write(broken.resolve("regressor.pt"), new byte[] {0});
    byte[] archive = BundleArchives.tarGz(broken);

    assertThatThrownBy(() -> obtain(new BundleCache(root, LIMIT), archive, md5(archive)))
        .isInstanceOfSatisfying(BundleSourceException.class, e -> assertThat(e.rejected()).isTrue())
        .hasMessageContaining("does not match its manifest")
        .hasMessageContaining("regressor.pt");
  }

  @Test
  void shouldRefuseAnArchiveLargerThanTheLimitBeforeDownloading() {
    assertThatThrownBy(() -> obtain(new BundleCache(root, 100), ARCHIVE, ETAG))
        .hasMessageContaining("MODEL_MAX_BUNDLE_BYTES");
    assertThat(downloads).hasValue(0);
  }

  @Test
  void shouldDownloadOnceWhenManyThreadsAskAtOnce() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<BundleCache.Entry>> entries = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        entries.add(threads.submit(() -> obtain(new BundleCache(root, LIMIT), ARCHIVE, ETAG)));
      }
      for (Future<BundleCache.Entry> entry : entries) {
        assertThat(entry.get().bundle().manifest().version()).isEqualTo("tiny-1");
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(downloads).hasValue(1);
  }

  @Test
  void shouldOfferTheNewestVerifiedCopyWhenAskedWithoutS3(@TempDir Path work) {
    BundleCache cache = new BundleCache(root, LIMIT);
    obtain(cache, ARCHIVE, ETAG);
    byte[] second =
        BundleArchives.tarGz(BundleFixtures.tinyWithVersion(work.resolve("v2"), "tiny-2"));
    obtain(cache, second, md5(second));

    assertThat(cache.newest("models", "engagement/current.tar.gz"))
        .hasValueSatisfying(
            entry -> assertThat(entry.bundle().manifest().version()).isEqualTo("tiny-2"));
    assertThat(cache.newest("models", "other.tar.gz")).isEmpty();
  }

  @Test
  void shouldForgetADiscardedCopy(@TempDir Path work) {
    BundleCache cache = new BundleCache(root, LIMIT);
    obtain(cache, ARCHIVE, ETAG);
    byte[] second =
        BundleArchives.tarGz(BundleFixtures.tinyWithVersion(work.resolve("v2"), "tiny-2"));
    obtain(cache, second, md5(second));

    cache.discard("models", "engagement/current.tar.gz", md5(second));

    assertThat(cache.newest("models", "engagement/current.tar.gz"))
        .hasValueSatisfying(
            entry -> assertThat(entry.bundle().manifest().version()).isEqualTo("tiny-1"));
  }

  private List<Path> partials() {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(path -> path.getFileName().toString().startsWith(".partial-")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
