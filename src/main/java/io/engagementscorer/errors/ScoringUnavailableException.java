package io.engagementscorer.errors;

/**
 * The scorer cannot take this post now: its queue is full, it is shutting down, or its model failed
 * the start-up self-check. The HTTP API answers 503 with {@code Retry-After}.
 */
public final class ScoringUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Refused work, with the reason. */
  public ScoringUnavailableException(String message) {
    super(message);
  }
}
