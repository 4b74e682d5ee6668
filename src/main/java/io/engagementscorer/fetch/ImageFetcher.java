package io.engagementscorer.fetch;

import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.s3.SharedS3Connection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an image reference URI into image bytes: {@code s3://bucket/key}, {@code https://} from
 * allow-listed public hosts, and {@code file:///...} under a configured root. Transient failures
 * are retried with exponential backoff. Thread-safe; close it to release its web connections (the
 * S3 connection is shared, and its owner's to close).
 *
 * <p>Failures: {@link InvalidInputException} with one of the {@link ImageFetchProblems} codes when
 * the reference itself is at fault (malformed, forbidden, missing, too large); {@link
 * ImageFetchException} otherwise, {@linkplain ImageFetchException#retryable() retryable} when
 * trying again later may help.
 */
public final class ImageFetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFetcher.class);

  /** Backoff never grows past this, however many retries are configured. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final FetchSettings settings;
  private final Map<String, ImageSource> sourcesByScheme;

  /**
   * A fetcher reading {@code s3://} references through {@code s3}, and web references with the
   * JVM's default trust store.
   *
   * @throws IllegalArgumentException when the configured file root is not an existing directory
   */
  public ImageFetcher(FetchSettings settings, SharedS3Connection s3) {
    this(settings, sources(settings, s3));
  }

  /** A fetcher over the given sources, keyed by lower-case URI scheme (for tests). */
  ImageFetcher(FetchSettings settings, Map<String, ImageSource> sourcesByScheme) {
    this.settings = settings;
    this.sourcesByScheme = Map.copyOf(sourcesByScheme);
  }

  /** The sources for these settings: S3 and web always, files only with a root. */
  static Map<String, ImageSource> sources(FetchSettings settings, SharedS3Connection s3Connection) {
    // The file source first: it is the one that can refuse its settings, and holds no client.
    FileImageSource files = settings.fileRoot() == null ? null : new FileImageSource(settings);
    HttpsImageSource web = new HttpsImageSource(settings);
    S3ImageSource s3 = new S3ImageSource(settings, s3Connection);
    if (files == null) {
      return Map.of("s3", s3, "https", web, "http", web);
    }
    return Map.of("s3", s3, "https", web, "http", web, "file", files);
  }

  /**
   * The image bytes behind {@code uri}, at most {@link FetchSettings#maxBytes()} of them.
   *
   * @throws InvalidInputException {@code invalid_image_uri}, {@code image_uri_forbidden}, {@code
   *     image_not_found} or {@code image_too_large}
   * @throws ImageFetchException when the store failed; after the configured retries when the
   *     failure was transient
   */
  public byte[] fetch(String uri) {
    try {
      URI parsed = parse(uri);
      return fetchWithRetries(sourceFor(parsed, uri), parsed);
    } catch (InvalidInputException e) {
      LOG.warn(
          "Image fetch of {} refused ({}): {}", quote(uri), e.problem().code(), e.getMessage());
      throw e;
    } catch (ImageFetchException e) {
      LOG.warn("Image fetch of {} failed: {}", quote(uri), e.getMessage(), e);
      throw e;
    }
  }

  /** Closes the sources' clients and connections, the shared S3 connection excepted. */
  @Override
  public void close() {
    sourcesByScheme.values().stream().distinct().forEach(ImageSource::close);
  }

  private byte[] fetchWithRetries(ImageSource source, URI uri) {
    for (int attempt = 1; ; attempt++) {
      try {
        return source.fetch(uri);
      } catch (ImageFetchException e) {
        if (!e.retryable() || attempt > settings.retries()) {
          throw attempt == 1
              ? e
              : new ImageFetchException(
                  e.getMessage() + " (after " + attempt + " attempts)", e.retryable(), e);
        }
        Duration delay = backoff(attempt);
        LOG.info(
            "Image fetch of {} attempt {} failed, retrying in {} ms: {}",
            quote(uri.toString()),
            attempt,
            delay.toMillis(),
            e.getMessage());
        sleep(delay, e);
      }
    }
  }

  /** Exponential with jitter: between half and all of {@code backoff * 2^(attempt-1)}. */
  private Duration backoff(int attempt) {
    Duration full = settings.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    long millis = Math.min(full.toMillis(), MAX_BACKOFF.toMillis());
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private static void sleep(Duration delay, ImageFetchException failure) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ImageFetchException interrupted =
          new ImageFetchException("interrupted while waiting to retry", true, failure);
      interrupted.addSuppressed(e);
      throw interrupted;
    }
  }

  private ImageSource sourceFor(URI uri, String text) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    ImageSource source = sourcesByScheme.get(scheme);
    if (source == null) {
      String why =
          scheme.equals("file")
              ? "file references are not enabled"
              : "unsupported scheme '" + scheme + "'";
      throw ImageFetchProblems.invalidUri(text, why);
    }
    return source;
  }

  private static URI parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw ImageFetchProblems.invalidUri(String.valueOf(uri), "empty");
    }
    try {
      URI parsed = new URI(uri.strip());
      if (parsed.getScheme() == null) {
        throw ImageFetchProblems.invalidUri(uri, "no scheme");
      }
      return parsed;
    } catch (URISyntaxException e) {
      throw ImageFetchProblems.invalidUri(uri, "malformed (" + e.getReason() + ")");
    }
  }

  private static String quote(String uri) {
    return ImageFetchProblems.quote(String.valueOf(uri));
  }
}
