package io.engagementscorer.bundles;

import io.engagementscorer.config.ModelSourceConfig;
import io.engagementscorer.s3.S3Connection;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;

/** Opens the bundle source the configuration names. */
public final class BundleSources {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  // Between two reads of a download, not for the whole of it: large bundles take minutes.
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private BundleSources() {}

  /** A local folder, or S3 through the cache, with the SDK's default credential chain. */
  public static BundleSource open(ModelSourceConfig config) {
    if (!config.useS3()) {
      return local(config.localDir());
    }
    S3Connection connection =
        S3Connection.open(
            config.s3(),
            DefaultCredentialsProvider.builder().build(),
            CONNECT_TIMEOUT,
            READ_TIMEOUT,
            calls -> calls.retryStrategy(AwsRetryStrategy.standardRetryStrategy()));
    return new S3BundleSource(
        config, connection, new BundleCache(config.cacheDir(), config.maxBundleBytes()));
  }

  /** The bundle in {@code directory}, read where it lies. */
  public static BundleSource local(Path directory) {
    return new LocalBundleSource(directory);
  }
}
