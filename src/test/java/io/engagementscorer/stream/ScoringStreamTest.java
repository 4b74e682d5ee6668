package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScoringStreamTest {
  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"ERROR", "PENDING_ERROR"})
  void shouldCountAStreamOnItsWayToErrorAsBrokenBeyondRecovery(State state) {
    assertThat(ScoringStream.failure(state))
        .hasValueSatisfying(why -> assertThat(why).contains(state.name()));
  }

  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"CREATED", "REBALANCING", "RUNNING", "PENDING_SHUTDOWN", "NOT_RUNNING"})
  void shouldCountEveryOtherStateAsRecoverable(State state) {
    assertThat(ScoringStream.failure(state)).isEmpty();
  }

  @Test
  void shouldBeReadyOnlyWhenRunningRestoredAndReachingTheBrokers() {
    assertThat(ScoringStream.notReadyReasons(State.RUNNING, List.of(), Optional.empty())).isEmpty();
  }

  @Test
  void shouldGiveEveryReasonItIsNotReady() {
    assertThat(
            ScoringStream.notReadyReasons(
                State.REBALANCING,
                List.of("restoring 1 state store partitions: post-state-2"),
                Optional.of("broker unreachable for 7 s (last probe: timeout)")))
        .containsExactly(
            "stream REBALANCING, not RUNNING",
            "restoring 1 state store partitions: post-state-2",
            "broker unreachable for 7 s (last probe: timeout)");
  }

  @Test
  void shouldBoundTheConsumersBlockingCallsByAThirdOfTheTransactionTimeout() {
    assertThat(ScoringStream.committedOffsetsWait(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofMillis(3333));
    assertThat(ScoringStream.committedOffsetsWait(Duration.ofSeconds(90)))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(ScoringStream.committedOffsetsWait(Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(ScoringStream.committedOffsetsWait(Duration.ofMinutes(15)))
        .isEqualTo(Duration.ofSeconds(60));
  }
}
