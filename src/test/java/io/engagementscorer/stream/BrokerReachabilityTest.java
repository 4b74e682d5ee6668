package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BrokerReachabilityTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final BrokerReachability reachability =
      new BrokerReachability(100 * SECOND, Duration.ofSeconds(5));

  @Test
  void shouldCountTheBrokersReachableWithinTheGracePeriodOfTheLastAnswer() {
    reachability.failed("connection refused");

    assertThat(reachability.problem(105 * SECOND)).isEmpty();
  }

  @Test
  void shouldSayHowLongTheBrokersHaveBeenSilentAndWhyOnceThePeriodIsOver() {
    reachability.failed("connection refused");

    assertThat(reachability.problem(107 * SECOND))
        .hasValue("broker unreachable for 7 s (last probe: connection refused)");
  }

  @Test
  void shouldCountTheBrokersReachableAgainFromTheirNextAnswer() {
    reachability.failed("connection refused");
    reachability.answered(110 * SECOND);

    assertThat(reachability.problem(111 * SECOND)).isEmpty();
  }

  @Test
  void shouldTellTheFirstFailureAndTheSilenceItEndedSoThatEachIsLoggedOnce() {
    assertThat(reachability.failed("connection refused")).isTrue();
    assertThat(reachability.failed("connection refused")).isFalse();

    assertThat(reachability.answered(112 * SECOND)).hasValue(Duration.ofSeconds(12));
    assertThat(reachability.answered(114 * SECOND)).isEmpty();
    assertThat(reachability.failed("timeout")).isTrue();
  }
}
