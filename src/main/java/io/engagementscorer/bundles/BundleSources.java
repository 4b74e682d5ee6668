package io.engagementscorer.bundles;

import io.engagementscorer.config.ModelSourceConfig;
import io.engagementscorer.s3.SharedS3Connection;
import java.nio.file.Path;

/** Opens the bundle source the configuration names. */
public final class BundleSources {
  private BundleSources() {}

  /**
   * A local folder, or S3 through the cache over {@code s3}, which the caller owns and closes after
   * the source (the source opens it on first use and never closes it).
   */
  public static BundleSource open(ModelSourceConfig config, SharedS3Connection s3) {
    if (!config.useS3()) {
      return local(config.localDir());
    }
    return new S3BundleSource(
        config, s3, new BundleCache(config.cacheDir(), config.maxBundleBytes()));
  }

  /** The bundle in {@code directory}, read where it lies. */
  public static BundleSource local(Path directory) {
    return new LocalBundleSource(directory);
  }
}
