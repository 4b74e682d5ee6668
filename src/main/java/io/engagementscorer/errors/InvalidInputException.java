package io.engagementscorer.errors;

/**
 * Input that cannot be scored because of what the caller sent: the HTTP layer answers it with its
 * problem's 4xx, the stream sends the record to the dead-letter topic at its problem's stage. The
 * message says what exactly was wrong.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final InputProblem problem;

  /** Input rejected with a typed problem and a human-readable detail. */
  public InvalidInputException(InputProblem problem, String detail) {
    super(detail);
    this.problem = problem;
  }

  /** Input rejected because a library failed on it; the cause is kept. */
  public InvalidInputException(InputProblem problem, String detail, Throwable cause) {
    super(detail, cause);
    this.problem = problem;
  }

  /** What was wrong. */
  public InputProblem problem() {
    return problem;
  }
}
