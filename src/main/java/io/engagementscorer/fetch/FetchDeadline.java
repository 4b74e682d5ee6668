package io.engagementscorer.fetch;

import java.net.SocketTimeoutException;
import java.time.Duration;

/** The moment a fetch attempt must be over by; socket reads get whatever time is left. */
final class FetchDeadline {
  private final long deadlineNanos;
  private final Duration budget;

  private FetchDeadline(Duration budget) {
    this.budget = budget;
    this.deadlineNanos = System.nanoTime() + budget.toNanos();
  }

  /** A deadline {@code budget} from now. */
  static FetchDeadline in(Duration budget) {
    return new FetchDeadline(budget);
  }

  /**
   * Milliseconds left, at least 1 (0 would mean "no timeout" to a socket).
   *
   * @throws SocketTimeoutException when the deadline has passed
   */
  int remainingMillis() throws SocketTimeoutException {
    long left = Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
    if (left <= 0) {
      throw new SocketTimeoutException("fetch took longer than " + budget);
    }
    return (int) Math.min(left, Integer.MAX_VALUE);
  }
}
