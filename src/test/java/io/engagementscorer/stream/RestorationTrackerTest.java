package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestorationTrackerTest {
  private static final TopicPartition CHANGELOG_0 = new TopicPartition("app-store-changelog", 0);
  private static final TopicPartition CHANGELOG_3 = new TopicPartition("app-store-changelog", 3);

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
        .containsExactly("restoring 2 state store partitions: latest-scores-0, post-state-3");
  }

  @Test
  void shouldForgetAPartitionOnceItIsRestoredOrSuspended() {
    tracker.onRestoreStart(CHANGELOG_0, "post-state", 0, 100);
    tracker.onRestoreStart(CHANGELOG_3, "post-state", 0, 100);

    tracker.onRestoreEnd(CHANGELOG_0, "post-state", 100);
    tracker.onRestoreSuspended(CHANGELOG_3, "post-state", 40);

    assertThat(tracker.reasons()).isEmpty();
  }
}
