package io.engagementscorer.preprocess;

/**
 * Input that cannot be scored because of what the caller sent: the HTTP layer answers it with a
 * 4xx, the stream sends the record to the dead-letter topic. {@link #problem()} is a short stable
 * code (for example {@code "invalid_image"}); the message says what exactly was wrong.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String problem;

  /** Input rejected with a stable problem code and a human-readable detail. */
  public InvalidInputException(String problem, String detail) {
    super(detail);
    this.problem = problem;
  }

  /** Input rejected because a library failed on it; the cause is kept. */
  public InvalidInputException(String problem, String detail, Throwable cause) {
    super(detail, cause);
    this.problem = problem;
  }

  /** A short stable code naming the problem, such as {@code "image_too_large"}. */
  public String problem() {
    return problem;
  }
}
