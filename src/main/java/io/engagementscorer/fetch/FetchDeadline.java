package io.engagementscorer.fetch;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The moment a fetch attempt must be over by: readers check it between reads, and the web source
 * cancels its request when it passes.
 */
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

  /** Time left, zero once the deadline has passed. */
  Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  /** Whether the deadline has passed. */
  boolean hasPassed() {
    return remaining().isZero();
  }

  /**
   * Returns while there is time left.
   *
   * @throws SocketTimeoutException when the deadline has passed
   */
  void check() throws SocketTimeoutException {
    if (hasPassed()) {
      throw new SocketTimeoutException("fetch took longer than " + budget);
    }
  }
}
