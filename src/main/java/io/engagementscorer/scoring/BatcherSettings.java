package io.engagementscorer.scoring;

import java.time.Duration;

/**
 * How a {@link MicroBatcher} groups work.
 *
 * @param maxBatchSize most items per batch
 * @param maxDelay longest the first item of a batch waits for others to join it
 * @param queueCapacity items that may wait in the HTTP lane; more are refused at once
 * @param timeout longest an item may take from submission to result
 * @param workers threads running batches, each with its own processor
 * @param streamCapacity items that may wait in the stream lane
 * @param backgroundCapacity items that may wait in each background lane (re-scoring, candidate)
 */
public record BatcherSettings(
    int maxBatchSize,
    Duration maxDelay,
    int queueCapacity,
    Duration timeout,
    int workers,
    int streamCapacity,
    int backgroundCapacity) {

  /** Checks the values are usable. */
  public BatcherSettings {
    if (maxBatchSize < 1
        || queueCapacity < 1
        || streamCapacity < 1
        || backgroundCapacity < 1
        || workers < 1) {
      throw new IllegalArgumentException("batch size, queue capacities and workers must be >= 1");
    }
    if (maxDelay.isNegative() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("delay must be >= 0 and timeout > 0");
    }
  }

  /** Settings where every lane may hold {@code queueCapacity} items. */
  public BatcherSettings(
      int maxBatchSize, Duration maxDelay, int queueCapacity, Duration timeout, int workers) {
    this(maxBatchSize, maxDelay, queueCapacity, timeout, workers, queueCapacity, queueCapacity);
  }

  /** How many items may wait in {@code lane}. */
  public int capacity(Lane lane) {
    return switch (lane) {
      case HTTP -> queueCapacity;
      case STREAM -> streamCapacity;
      case RESCORE, CANDIDATE -> backgroundCapacity;
    };
  }
}
