package io.engagementscorer.fetch;

import java.net.URI;

/**
 * Reads the image behind one kind of URI in a single attempt; {@link ImageFetcher} dispatches on
 * the scheme and retries. Implementations are thread-safe.
 */
interface ImageSource extends AutoCloseable {
  /**
   * The image bytes, at most the configured maximum.
   *
   * @throws io.engagementscorer.errors.InvalidInputException for a malformed, forbidden, missing or
   *     oversized reference: trying again will not help
   * @throws ImageFetchException for anything else; retried by the caller when {@link
   *     ImageFetchException#retryable()}
   */
  byte[] fetch(URI uri);

  /** Releases connections and clients; the default holds none. */
  @Override
  default void close() {}
}
