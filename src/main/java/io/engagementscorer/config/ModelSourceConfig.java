package io.engagementscorer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the served model comes from and how it is kept current.
 *
 * @param useS3 read the bundle from S3 rather than a local folder ({@code USE_S3_MODEL})
 * @param localDir the bundle folder when not using S3 ({@code MODEL_DIR})
 * @param bucket the bucket holding bundle archives ({@code S3_BUCKET_NAME})
 * @param primaryKey the archive object to serve and to watch for new versions ({@code
 *     S3_MODEL_KEY})
 * @param fallbackKeys archives tried in order when the primary is missing or unusable ({@code
 *     S3_MODEL_FALLBACK_KEYS}, comma-separated)
 * @param cacheDir where downloaded bundles are kept, verified ({@code MODEL_CACHE_DIR})
 * @param maxBundleBytes largest archive, and largest unpacked bundle, accepted ({@code
 *     MODEL_MAX_BUNDLE_BYTES})
 * @param reloadInterval how often to look for a new version; zero turns polling off ({@code
 *     MODEL_RELOAD_INTERVAL_S})
 * @param adminToken bearer token of {@code POST /api/v1/admin/reload}, or null to disable it
 *     ({@code ADMIN_TOKEN})
 */
public record ModelSourceConfig(
    boolean useS3,
    Path localDir,
    String bucket,
    String primaryKey,
    List<String> fallbackKeys,
    Path cacheDir,
    long maxBundleBytes,
    Duration reloadInterval,
    String adminToken) {

  public static final String DEFAULT_MODEL_DIR = "models/tiny";
  public static final long DEFAULT_MAX_BUNDLE_BYTES = 8L * 1024 * 1024 * 1024;
  public static final boolean DEFAULT_USE_S3_MODEL = false;

  /** {@code MODEL_RELOAD_INTERVAL_S} that turns checking for new versions off, the default. */
  public static final int RELOAD_OFF = 0;

  public static final int MAX_RELOAD_INTERVAL_S = 86_400;
  static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  public ModelSourceConfig {
    fallbackKeys = List.copyOf(fallbackKeys);
  }

  static ModelSourceConfig fromEnv(EnvironmentReader read) {
    boolean useS3 = read.bool("USE_S3_MODEL", DEFAULT_USE_S3_MODEL);
    String bucket = read.string("S3_BUCKET_NAME", null);
    String key = read.string("S3_MODEL_KEY", null);
    if (useS3 && (bucket == null || bucket.isBlank())) {
      throw new ConfigException("USE_S3_MODEL=true needs S3_BUCKET_NAME, the bucket of the model");
    }
    if (useS3 && (key == null || key.isBlank())) {
      throw new ConfigException(
          "USE_S3_MODEL=true needs S3_MODEL_KEY, the key of the bundle archive (.tar.gz)");
    }
    String token = read.string("ADMIN_TOKEN", null);
    if (token != null && token.strip().length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ConfigException(
          "ADMIN_TOKEN must be at least "
              + MIN_ADMIN_TOKEN_LENGTH
              + " characters (it guards model reloads); leave it unset to disable the admin API");
    }
    return new ModelSourceConfig(
        useS3,
        Path.of(read.string("MODEL_DIR", DEFAULT_MODEL_DIR)),
        bucket,
        key,
        keys(read.string("S3_MODEL_FALLBACK_KEYS", "")),
        Path.of(read.string("MODEL_CACHE_DIR", defaultCacheDir())),
        read.longInteger(
            "MODEL_MAX_BUNDLE_BYTES", DEFAULT_MAX_BUNDLE_BYTES, 1_024 * 1_024, 1L << 40),
        Duration.ofSeconds(
            read.integer("MODEL_RELOAD_INTERVAL_S", RELOAD_OFF, RELOAD_OFF, MAX_RELOAD_INTERVAL_S)),
        token == null ? null : token.strip());
  }

  /** Primary key first, then the fallbacks, without repeats. */
  public List<String> keys() {
    return Stream.concat(Stream.of(primaryKey), fallbackKeys.stream()).distinct().toList();
  }

  /** Whether the service looks for new versions on its own. */
  public boolean reloadEnabled() {
    return !reloadInterval.isZero();
  }

  private static List<String> keys(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(key -> !key.isEmpty())
        .toList();
  }

  private static String defaultCacheDir() {
    return Path.of(System.getProperty("user.home"), ".cache", "engagement-scorer", "models")
        .toString();
  }
}
