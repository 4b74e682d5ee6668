package io.engagementscorer.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Which state store partitions are being restored from their changelogs now. Kafka Streams calls it
 * from its restoring threads; readiness reads it from HTTP threads.
 */
final class RestorationTracker implements StateRestoreListener {
  private final Map<TopicPartition, String> restoring = new ConcurrentHashMap<>();

  @Override
  public void onRestoreStart(
      TopicPartition changelog, String storeName, long startingOffset, long endingOffset) {
    restoring.put(changelog, storeName);
  }

  @Override
  public void onBatchRestored(
      TopicPartition changelog, String storeName, long batchEndOffset, long numRestored) {
    // Progress is not needed: what matters is whether any partition is still restoring.
  }

  @Override
  public void onRestoreEnd(TopicPartition changelog, String storeName, long totalRestored) {
    restoring.remove(changelog);
  }

  // A partition whose task moved away or closed mid-restore is no longer restoring here.
  @Override
  public void onRestoreSuspended(TopicPartition changelog, String storeName, long totalRestored) {
    restoring.remove(changelog);
  }

  /** Why this instance is not ready on account of restoration; empty when nothing restores. */
  List<String> reasons() {
    if (restoring.isEmpty()) {
      return List.of();
    }
    List<String> stores =
        restoring.entrySet().stream()
            .map(entry -> entry.getValue() + "-" + entry.getKey().partition())
            .sorted()
            .toList();
    return List.of(
        "restoring " + stores.size() + " state store partitions: " + String.join(", ", stores));
  }
}
