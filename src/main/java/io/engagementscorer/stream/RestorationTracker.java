package io.engagementscorer.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
  private final LongSupplier nanoTime;
  private long lastLogNanos;
  private long restoredAtLastLog;

  RestorationTracker() {
    this(System::nanoTime);
  }

  /** A tracker that reads the time from {@code nanoTime} (tests pass their own clock). */
  RestorationTracker(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastLogNanos = nanoTime.getAsLong();
  }

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
    synchronized (progressLog) {
      // The rate of a restore that starts after a quiet spell counts from its start, not from the
      // last progress line of the one before.
      if (restoring.isEmpty()) {
        lastLogNanos = nanoTime.getAsLong();
        restoredAtLastLog = restoredRecords.get();
      }
      restoring.put(changelog, new Progress(storeName, new AtomicLong(records)));
    }
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
    progressLineNowAndThen().ifPresent(LOG::info);
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

  /** The progress line, once every 10 s while restoring; empty in between. */
  Optional<String> progressLineNowAndThen() {
    synchronized (progressLog) {
      long now = nanoTime.getAsLong();
      long elapsed = now - lastLogNanos;
      if (elapsed < PROGRESS_INTERVAL_NANOS) {
        return Optional.empty();
      }
      long restored = restoredRecords.get();
      double perSecond = (restored - restoredAtLastLog) * 1e9 / elapsed;
      long left = remaining();
      lastLogNanos = now;
      restoredAtLastLog = restored;
      return Optional.of(
          String.format(
              Locale.ROOT,
              "Restoring %d state store partitions: %d records left, %.0f records/s, about %s s left",
              restoring.size(),
              left,
              perSecond,
              perSecond > 0 ? String.format(Locale.ROOT, "%.0f", left / perSecond) : "?"));
    }
  }
}
