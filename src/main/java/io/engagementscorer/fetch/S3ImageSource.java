package io.engagementscorer.fetch;

import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.s3.SharedS3Connection;
import java.io.IOException;
import java.net.URI;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads {@code s3://bucket/key} references through the service's shared S3 connection, from AWS S3
 * or from an S3-compatible store at a configured endpoint. Each request carries the fetch's own
 * timeout and turns the SDK's retries off ({@link ImageFetcher} retries, for every scheme alike).
 * The size cap is checked against the object's declared length before reading, and again while
 * reading; an oversized body is aborted rather than drained.
 */
final class S3ImageSource implements ImageSource {
  /** Bucket naming rules, loosely: lower-case letters, digits, dots and hyphens, 3 to 63 long. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** Turns off, for one request, the retries the shared connection makes by default. */
  private static final SdkPlugin NO_RETRIES =
      client ->
          client.overrideConfiguration(
              client.overrideConfiguration().toBuilder()
                  .retryStrategy(AwsRetryStrategy.doNotRetry())
                  .build());

  private final SharedS3Connection connection;
  private final FetchSettings settings;

  /** A source over {@code connection}, which it opens on first use and leaves to its owner. */
  S3ImageSource(FetchSettings settings, SharedS3Connection connection) {
    this.settings = settings;
    this.connection = connection;
  }

  @Override
  public byte[] fetch(URI uri) {
    GetObjectRequest request = requestFor(uri);
    try {
      // The body is read inside the call, so the call's timeout (the fetch timeout) covers a body
      // that stalls, not only the wait for the headers.
      return connection
          .get()
          .client()
          .getObject(request, (response, body) -> read(uri, response, body));
    } catch (NoSuchKeyException e) {
      throw ImageFetchProblems.notFound(uri, "no such key");
    } catch (NoSuchBucketException e) {
      throw ImageFetchProblems.notFound(uri, "no such bucket");
    } catch (S3Exception e) {
      throw failure(uri, e);
    } catch (SdkClientException e) {
      // What read() refused comes back wrapped by the SDK: the refusal itself is the answer.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof ImageFetchException || cause instanceof InvalidInputException) {
          throw (RuntimeException) cause;
        }
      }
      throw new ImageFetchException(
          "reading " + ImageFetchProblems.quote(uri) + " failed: " + e.getMessage(), true, e);
    }
  }

  private byte[] read(URI uri, GetObjectResponse response, AbortableInputStream body)
      throws IOException {
    long maxBytes = settings.maxBytes();
    Long declared = response.contentLength();
    try {
      if (declared != null && declared > maxBytes) {
        throw ImageFetchProblems.tooLarge(uri, maxBytes);
      }
      return BoundedReader.readAtMost(
          body, maxBytes, FetchDeadline.in(settings.readTimeout()), uri);
    } catch (RuntimeException | IOException e) {
      // Closing would otherwise read the rest of the object to reuse the connection.
      body.abort();
      throw e;
    }
  }

  private GetObjectRequest requestFor(URI uri) {
    String bucket = uri.getRawAuthority();
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw ImageFetchProblems.invalidUri(uri.toString(), "not a valid bucket name");
    }
    String path = uri.getPath();
    if (path == null || path.length() < 2 || uri.getRawQuery() != null) {
      throw ImageFetchProblems.invalidUri(uri.toString(), "expected s3://bucket/key");
    }
    return GetObjectRequest.builder()
        .bucket(bucket)
        .key(path.substring(1))
        .overrideConfiguration(
            call ->
                call.apiCallTimeout(settings.readTimeout())
                    .apiCallAttemptTimeout(settings.readTimeout())
                    .addPlugin(NO_RETRIES))
        .build();
  }

  private static RuntimeException failure(URI uri, S3Exception e) {
    int status = e.statusCode();
    if (status == 404) {
      return ImageFetchProblems.notFound(uri, "S3 answered 404");
    }
    boolean transientFailure =
        e.isThrottlingException() || status == 429 || (status >= 500 && status != 501);
    String code = e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
    return new ImageFetchException(
        ImageFetchProblems.quote(uri) + ": S3 answered " + status + code, transientFailure, e);
  }
}
