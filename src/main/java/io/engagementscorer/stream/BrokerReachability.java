package io.engagementscorer.stream;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether the brokers answered recently, from the outcomes of periodic probes: unreachable once
 * nothing has answered for longer than a grace period, so that one lost probe does not flip
 * readiness. Times are {@link System#nanoTime()} readings, passed in so that tests need no clock.
 */
final class BrokerReachability {
  private final long unreachableAfterNanos;
  private volatile long lastAnswerNanos;
  private volatile String lastFailure = "no probe has failed";
  // Written by the probe's one thread only.
  private boolean failing;

  /**
   * @param sinceNanos when the brokers were last known to answer (the stream reached RUNNING)
   * @param unreachableAfter how long without an answer counts as unreachable
   */
  BrokerReachability(long sinceNanos, Duration unreachableAfter) {
    this.lastAnswerNanos = sinceNanos;
    this.unreachableAfterNanos = unreachableAfter.toNanos();
  }

  /**
   * Records an answer.
   *
   * @return how long the brokers had been silent, when probes had failed since their last answer
   */
  Optional<Duration> answered(long nowNanos) {
    Optional<Duration> silence =
        failing ? Optional.of(Duration.ofNanos(nowNanos - lastAnswerNanos)) : Optional.empty();
    failing = false;
    lastAnswerNanos = nowNanos;
    return silence;
  }

  /**
   * Records a failed probe.
   *
   * @return whether it is the first to fail since the brokers last answered
   */
  boolean failed(String why) {
    lastFailure = why;
    boolean first = !failing;
    failing = true;
    return first;
  }

  /** Why the brokers count as unreachable at {@code nowNanos}; empty while they answer. */
  Optional<String> problem(long nowNanos) {
    long silentNanos = nowNanos - lastAnswerNanos;
    if (silentNanos <= unreachableAfterNanos) {
      return Optional.empty();
    }
    return Optional.of(
        "broker unreachable for "
            + Duration.ofNanos(silentNanos).toSeconds()
            + " s (last probe: "
            + lastFailure
            + ")");
  }
}
