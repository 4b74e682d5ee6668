package io.engagementscorer.s3;

import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;

/**
 * The service's one S3 connection, which model bundles and image references share: opened on first
 * use, by whichever of them needs it first, and closed once, by the application that owns it. An
 * instance that never reads from S3 never opens it, nor looks for credentials.
 *
 * <p>Calls are retried with the SDK's standard strategy; a user that retries on its own (image
 * fetches) turns that off per request, and sets its own call timeouts there too.
 */
public final class SharedS3Connection implements AutoCloseable {
  /** Longest a TCP connection to S3 may take to open. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  // Between two reads of a download, not for the whole of it: large bundles take minutes.
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final S3Settings settings;
  private final Supplier<? extends AwsCredentialsProvider> credentials;
  private S3Connection connection;
  private boolean closed;

  private SharedS3Connection(
      S3Settings settings, Supplier<? extends AwsCredentialsProvider> credentials) {
    this.settings = settings;
    this.credentials = credentials;
  }

  /** A connection to S3 as {@code settings} say, signing with the SDK's default chain. */
  public static SharedS3Connection of(S3Settings settings) {
    return of(settings, () -> DefaultCredentialsProvider.builder().build());
  }

  /**
   * A connection to S3 as {@code settings} say, signing with the provider {@code credentials} gives
   * when the connection opens; the connection then owns it.
   */
  public static SharedS3Connection of(
      S3Settings settings, Supplier<? extends AwsCredentialsProvider> credentials) {
    return new SharedS3Connection(settings, credentials);
  }

  /** Where the connection goes, whether or not it is open yet. */
  public S3Settings settings() {
    return settings;
  }

  /**
   * The connection, opened by this call when it is the first.
   *
   * @throws IllegalStateException once the connection has been closed
   */
  public synchronized S3Connection get() {
    if (closed) {
      throw new IllegalStateException("the S3 connection to " + settings.describe() + " is closed");
    }
    if (connection == null) {
      connection =
          S3Connection.open(
              settings,
              credentials.get(),
              CONNECT_TIMEOUT,
              READ_TIMEOUT,
              calls -> calls.retryStrategy(AwsRetryStrategy.standardRetryStrategy()));
    }
    return connection;
  }

  /** Closes the connection if it was opened; a second close does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (connection != null) {
      connection.close();
    }
  }
}
