package io.engagementscorer.fetch;

/**
 * An image could not be fetched for a reason that is not the caller's fault: a timeout, a refused
 * connection, a server error, throttling, or a store that answers something unexpected. {@link
 * #retryable()} tells the caller whether trying again later may succeed (otherwise the record
 * belongs on the dead-letter topic).
 */
public class ImageFetchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  /** A failure with no underlying exception. */
  public ImageFetchException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /** A failure caused by a library or I/O exception, which is kept. */
  public ImageFetchException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether the same fetch may succeed later (timeouts, 5xx, throttling, refused connections). */
  public boolean retryable() {
    return retryable;
  }
}
