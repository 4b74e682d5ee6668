package io.engagementscorer.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which state store partitions are being restored from their changelogs now, and how far along they
 * are: readiness names them with the records left, metrics count them, and the log reports progress
 * every 10 s (records left, rate, time left) so that a person can tell how long a restore will
 * take. Kafka Streams calls it from its restoring threads; readiness and metrics read it from
 * others.
 */
final class RestorationTracker implements StateRestoreListener {
  private static final Logger LOG = LoggerFactory.getLogger(RestorationTracker.class);
  private static final long PROGRESS_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  /** What is left of one partition's restore. */
  private record Progress(String store, AtomicLong remaining) {}

  private final Map<TopicPartition, Progress> restoring = new ConcurrentHashMap<>();
  private final AtomicLong restoredRecords = new AtomicLong();
  private final Object progressLog = new Object();
  private long lastLogNanos = System.nanoTime();
  private long restoredAtLastLog;

  /** Registers the restore metrics. */
  void bindTo(MeterRegistry registry) {
    Gauge.builder("engagement.restore.partitions", restoring, Map::size)
        .description("State store partitions being restored from their changelogs")
        .register(registry);
    Gauge.builder("engagement.restore.records.remaining", this, RestorationTracker::remaining)
        .description("Changelog records left to restore")
        .register(registry);
    FunctionCounter.builder("engagement.restore.records", restoredRecords, AtomicLong::get)
        .description("Changelog records restored since start-up")
        .register(registry);
  }

  @Override
  public void onRestoreStart(
      TopicPartition changelog, String storeName, long startingOffset, long endingOffset) {
    long records = Math.max(0, endingOffset - startingOffset);
    restoring.put(changelog, new Progress(storeName, new AtomicLong(records)));
    LOG.info("Restoring {}-{}: {} changelog records", storeName, changelog.partition(), records);
  }

  @Override
  public void onBatchRestored(
      TopicPartition changelog, String storeName, long batchEndOffset, long numRestored) {
    Progress progress = restoring.get(changelog);
    if (progress != null) {
      progress.remaining().updateAndGet(left -> Math.max(0, left - numRestored));
    }
    restoredRecords.addAndGet(numRestored);
    logProgressNowAndThen();
  }

  @Override
  public void onRestoreEnd(TopicPartition changelog, String storeName, long totalRestored) {
    restoring.remove(changelog);
    LOG.info("Restored {}-{}: {} records", storeName, changelog.partition(), totalRestored);
  }

  // A partition whose task moved away or closed mid-restore is no longer restoring here.
  @Override
  public void onRestoreSuspended(TopicPartition changelog, String storeName, long totalRestored) {
    restoring.remove(changelog);
  }

  /** Changelog records left to restore, over every partition restoring now. */
  long remaining() {
    return restoring.values().stream().mapToLong(progress -> progress.remaining().get()).sum();
  }

  /** Why this instance is not ready on account of restoration; empty when nothing restores. */
  List<String> reasons() {
    if (restoring.isEmpty()) {
      return List.of();
    }
    List<String> stores =
        restoring.entrySet().stream()
            .map(entry -> entry.getValue().store() + "-" + entry.getKey().partition())
            .sorted()
            .toList();
    return List.of(
        "restoring "
            + stores.size()
            + " state store partitions ("
            + remaining()
            + " records left): "
            + String.join(", ", stores));
  }

  private void logProgressNowAndThen() {
    synchronized (progressLog) {
      long now = System.nanoTime();
      long elapsed = now - lastLogNanos;
      if (elapsed < PROGRESS_INTERVAL_NANOS) {
        return;
      }
      long restored = restoredRecords.get();
      double perSecond = (restored - restoredAtLastLog) * 1e9 / elapsed;
      long left = remaining();
      LOG.info(
          "Restoring {} state store partitions: {} records left, {} records/s, about {} s left",
          restoring.size(),
          left,
          String.format(Locale.ROOT, "%.0f", perSecond),
          perSecond > 0 ? String.format(Locale.ROOT, "%.0f", left / perSecond) : "?");
      lastLogNanos = now;
      restoredAtLastLog = restored;
    }
  }
}
