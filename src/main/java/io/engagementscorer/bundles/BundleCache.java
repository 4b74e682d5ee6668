package io.engagementscorer.bundles;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified copies of downloaded bundle archives, one folder per bucket, key and ETag: {@code
 * <root>/<bucket>/<key, URL-encoded>/<etag>/bundle}. A download goes to a temporary file, is
 * checked (size, ETag, then every file's sha256 from the manifest once unpacked) and only then
 * renamed into place, so a partial or corrupt download is never used. Installing takes a file lock
 * per key, so processes starting together on one cache download once and never see each other's
 * half-written files. A cached bundle is verified again each time it is used.
 */
final class BundleCache {
  private static final Logger LOG = LoggerFactory.getLogger(BundleCache.class);
  private static final String BUNDLE = "bundle";
  private static final String ENTRY = "entry.json";
  private static final String PARTIAL = ".partial-";
  private static final String LOCK = ".lock";
  // Versions kept per key: the served one and a couple to fall back on.
  private static final int KEEP_PER_KEY = 3;
  private static final Pattern SINGLE_PART_ETAG = Pattern.compile("[0-9a-f]{32}");
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  // File locks are per process; threads of this process queue on these first.
  private static final Map<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

  /** Downloads an archive to a file that does not exist yet; returns the ETag it got. */
  @FunctionalInterface
  interface Download {
    String to(Path file);
  }

  /**
   * What the cache remembers of an entry.
   *
   * @param bucket the bucket
   * @param key the key
   * @param etag the archive's ETag
   * @param size the archive's size
   * @param downloadedAt when it was downloaded, ISO-8601
   * @param version the bundle's version
   */
  record EntryInfo(
      String bucket, String key, String etag, long size, String downloadedAt, String version) {}

  /**
   * A verified bundle from the cache.
   *
   * @param bundle the bundle
   * @param info what the cache knows of it
   * @param downloaded whether this call downloaded it (false: it was in the cache)
   */
  record Entry(ModelBundle bundle, EntryInfo info, boolean downloaded) {}

  private final Path root;
  private final long maxBundleBytes;

  BundleCache(Path root, long maxBundleBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.maxBundleBytes = maxBundleBytes;
  }

  /** The cache folder. */
  Path root() {
    return root;
  }

  /**
   * The verified bundle of {@code bucket/key} at {@code etag}: from the cache when a copy there
   * still verifies, else downloaded, checked and installed.
   *
   * @throws BundleSourceException rejected when the download fails a check; other failures of
   *     {@code download} pass through
   */
  Entry obtain(String bucket, String key, String etag, long size, Download download) {
    if (size > maxBundleBytes) {
      throw BundleSourceException.rejected(
          "the archive has "
              + size
              + " bytes, more than MODEL_MAX_BUNDLE_BYTES ("
              + maxBundleBytes
              + ")",
          null);
    }
    Path keyDir = keyDir(bucket, key);
    return locked(
        keyDir,
        () -> {
          Path entryDir = keyDir.resolve(folderName(etag));
          Optional<Entry> cached = verified(entryDir);
          if (cached.isPresent()) {
            return cached.get();
          }
          removePartials(keyDir);
          Entry installed = install(keyDir, entryDir, bucket, key, etag, size, download);
          prune(keyDir, entryDir);
          return installed;
        });
  }

  /** Removes the copy of {@code bucket/key} at {@code etag}, if there is one. */
  void discard(String bucket, String key, String etag) {
    Path keyDir = keyDir(bucket, key);
    if (!Files.isDirectory(keyDir)) {
      return;
    }
    locked(
        keyDir,
        () -> {
          Path entryDir = keyDir.resolve(folderName(etag));
          LOG.info("Removing the rejected bundle {} from the cache", entryDir);
          deleteQuietly(entryDir);
          return null;
        });
  }

  /** The most recently downloaded copy of {@code bucket/key} that still verifies, if any. */
  Optional<Entry> newest(String bucket, String key) {
    Path keyDir = keyDir(bucket, key);
    if (!Files.isDirectory(keyDir)) {
      return Optional.empty();
    }
    return locked(
        keyDir,
        () -> {
          for (Path entryDir : entriesNewestFirst(keyDir)) {
            Optional<Entry> entry = verified(entryDir);
            if (entry.isPresent()) {
              return entry;
            }
          }
          return Optional.empty();
        });
  }

  private Entry install(
      Path keyDir,
      Path entryDir,
      String bucket,
      String key,
      String etag,
      long size,
      Download download) {
    String partialName = PARTIAL + UUID.randomUUID();
    Path archive = keyDir.resolve(partialName + ".tar.gz");
    Path partialDir = keyDir.resolve(partialName);
    try {
      LOG.info("Downloading s3://{}/{} (ETag {}, {} bytes)", bucket, key, etag, size);
      long start = System.nanoTime();
      String received = download.to(archive);
      checkArchive(archive, etag, received, size);
      Path unpacked = BundleArchive.unpack(archive, partialDir.resolve(BUNDLE), maxBundleBytes);
      ModelBundle bundle;
      try {
        bundle = ModelBundle.open(unpacked);
      } catch (ModelException e) {
        throw BundleSourceException.rejected(
            "the bundle does not match its manifest: " + e.getMessage(), e);
      }
      EntryInfo info =
          new EntryInfo(
              bucket, key, etag, size, Instant.now().toString(), bundle.manifest().version());
      JSON.writeValue(partialDir.resolve(ENTRY).toFile(), info);
      Path relative = partialDir.resolve(BUNDLE).relativize(unpacked);
      Files.move(partialDir, entryDir, StandardCopyOption.ATOMIC_MOVE);
      LOG.info(
          "Verified and cached {} in {} ms: {}",
          info.version(),
          (System.nanoTime() - start) / 1_000_000,
          entryDir);
      return new Entry(bundle.movedTo(entryDir.resolve(BUNDLE).resolve(relative)), info, true);
    } catch (IOException e) {
      throw BundleSourceException.unavailable(
          "cannot write to the model cache " + keyDir + ": " + e, e);
    } finally {
      deleteQuietly(archive);
      deleteQuietly(partialDir);
    }
  }

  private static void checkArchive(Path archive, String etag, String received, long size)
      throws IOException {
    if (received != null && !stripQuotes(received).equals(etag)) {
      throw BundleSourceException.unavailable(
          "the object changed during the download (ETag " + received + ", expected " + etag + ")",
          null);
    }
    long actual = Files.size(archive);
    if (actual != size) {
      throw BundleSourceException.rejected(
          "the download has " + actual + " bytes, the object " + size + ": it was cut short", null);
    }
    // A single-part upload's ETag is the MD5 of its bytes; a multipart ETag is not, and there the
    // manifest's sha256 of every file is the check.
    if (SINGLE_PART_ETAG.matcher(etag).matches()) {
      String md5 = ModelBundle.hexDigest(archive, "MD5");
      if (!md5.equals(etag)) {
        throw BundleSourceException.rejected(
            "the download's MD5 is " + md5 + " but the object's ETag is " + etag, null);
      }
    }
  }

  private Optional<Entry> verified(Path entryDir) {
    Path infoFile = entryDir.resolve(ENTRY);
    if (!Files.isRegularFile(infoFile)) {
      return Optional.empty();
    }
    try {
      EntryInfo info = JSON.readValue(infoFile.toFile(), EntryInfo.class);
      Path bundleDir = BundleArchive.bundleFolderOf(entryDir.resolve(BUNDLE));
      return Optional.of(new Entry(ModelBundle.open(bundleDir), info, false));
    } catch (IOException | ModelException e) {
      LOG.warn(
          "Discarding the cached bundle {}: it no longer verifies ({})", entryDir, e.getMessage());
      deleteQuietly(entryDir);
      return Optional.empty();
    }
  }

  private List<Path> entriesNewestFirst(Path keyDir) {
    try (Stream<Path> children = Files.list(keyDir)) {
      return children
          .filter(child -> Files.isRegularFile(child.resolve(ENTRY)))
          .sorted(Comparator.comparing(BundleCache::downloadedAt).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Instant downloadedAt(Path entryDir) {
    try {
      return Instant.parse(
          JSON.readValue(entryDir.resolve(ENTRY).toFile(), EntryInfo.class).downloadedAt());
    } catch (IOException | RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  private void prune(Path keyDir, Path keep) {
    List<Path> entries = entriesNewestFirst(keyDir);
    for (Path old : entries.subList(Math.min(KEEP_PER_KEY, entries.size()), entries.size())) {
      if (!old.equals(keep)) {
        LOG.info("Removing the old cached bundle {}", old);
        deleteQuietly(old);
      }
    }
  }

  private static void removePartials(Path keyDir) throws IOException {
    try (Stream<Path> children = Files.list(keyDir)) {
      // Only the lock holder writes partials, so any found now were left by a process that died.
      children
          .filter(child -> child.getFileName().toString().startsWith(PARTIAL))
          .forEach(BundleCache::deleteQuietly);
    }
  }

  private <T> T locked(Path keyDir, IoAction<T> action) {
    ReentrantLock processLock = PROCESS_LOCKS.computeIfAbsent(keyDir, dir -> new ReentrantLock());
    processLock.lock();
    try {
      Files.createDirectories(keyDir);
      try (FileChannel channel =
          FileChannel.open(
              keyDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock fileLock = channel.lock();
        try {
          return action.run();
        } finally {
          fileLock.release();
        }
      }
    } catch (IOException e) {
      throw BundleSourceException.unavailable(
          "cannot use the model cache " + keyDir + " (MODEL_CACHE_DIR): " + e, e);
    } finally {
      processLock.unlock();
    }
  }

  @FunctionalInterface
  private interface IoAction<T> {
    T run() throws IOException;
  }

  private Path keyDir(String bucket, String key) {
    return root.resolve(folderName(bucket)).resolve(URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  private static String folderName(String value) {
    String name = stripQuotes(value).replaceAll("[^A-Za-z0-9._-]", "_");
    return name.startsWith(".") ? "_" + name : name;
  }

  private static String stripQuotes(String etag) {
    return etag.replace("\"", "");
  }

  private static void deleteQuietly(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete {}: {}", path, e.getMessage());
    }
  }
}
