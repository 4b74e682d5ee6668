package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestorationTrackerTest {
  private static final TopicPartition CHANGELOG_0 = new TopicPartition("app-store-changelog", 0);
  private static final TopicPartition CHANGELOG_3 = new TopicPartition("app-store-changelog", 3);

  private static final long SECOND = 1_000_000_000L;
  private static final long SECONDS_100 = 100 * SECOND;

  private final RestorationTracker tracker = new RestorationTracker();

  @Test
  void shouldHaveNoReasonBeforeAnyRestoration() {
    assertThat(tracker.reasons()).isEmpty();
  }

  @Test
  void shouldNameTheStorePartitionsThatAreRestoring() {
    tracker.onRestoreStart(CHANGELOG_3, "post-state", 0, 100);
    tracker.onRestoreStart(CHANGELOG_0, "latest-scores", 0, 100);

    assertThat(tracker.reasons())
        .containsExactly(
            "restoring 2 state store partitions (200 records left): latest-scores-0, post-state-3");
  }

  @Test
  void shouldCountTheRecordsLeftAsBatchesAreRestored() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    tracker.bindTo(registry);
    tracker.onRestoreStart(CHANGELOG_0, "post-state", 10, 110);
    tracker.onRestoreStart(CHANGELOG_3, "post-state", 0, 50);

    tracker.onBatchRestored(CHANGELOG_0, "post-state", 70, 60);
    tracker.onBatchRestored(CHANGELOG_3, "post-state", 49, 50);

    assertThat(tracker.remaining()).isEqualTo(40);
    assertThat(registry.get("engagement.restore.records.remaining").gauge().value())
        .isEqualTo(40.0);
    assertThat(registry.get("engagement.restore.partitions").gauge().value()).isEqualTo(2.0);
    assertThat(registry.get("engagement.restore.records").functionCounter().count())
        .isEqualTo(110.0);

    tracker.onRestoreEnd(CHANGELOG_3, "post-state", 50);

    assertThat(registry.get("engagement.restore.partitions").gauge().value()).isEqualTo(1.0);
    assertThat(tracker.reasons())
        .containsExactly("restoring 1 state store partitions (40 records left): post-state-0");
  }

  @Test
  void shouldForgetAPartitionOnceItIsRestoredOrSuspended() {
    tracker.onRestoreStart(CHANGELOG_0, "post-state", 0, 100);
    tracker.onRestoreStart(CHANGELOG_3, "post-state", 0, 100);

    tracker.onRestoreEnd(CHANGELOG_0, "post-state", 100);
    tracker.onRestoreSuspended(CHANGELOG_3, "post-state", 40);

    assertThat(tracker.reasons()).isEmpty();
  }

  @Test
  void shouldMeasureTheRateOfARestoreFromItsStartNotFromAQuietSpellBefore() {
    long[] now = {0};
    RestorationTracker timed = new RestorationTracker(() -> now[0]);
    now[0] = SECONDS_100;
    timed.onRestoreStart(CHANGELOG_0, "post-state", 0, 5000);

    now[0] = SECONDS_100 + 5 * SECOND;
    timed.onBatchRestored(CHANGELOG_0, "post-state", 1000, 1000);
    assertThat(timed.progressLineNowAndThen()).as("before 10 s have passed").isEmpty();

    now[0] = SECONDS_100 + 9 * SECOND;
    timed.onBatchRestored(CHANGELOG_0, "post-state", 2000, 1000);

    now[0] = SECONDS_100 + 10 * SECOND;
    assertThat(timed.progressLineNowAndThen())
        .hasValue(
            "Restoring 1 state store partitions: 3000 records left, 200 records/s, about 15 s left");
  }
}
