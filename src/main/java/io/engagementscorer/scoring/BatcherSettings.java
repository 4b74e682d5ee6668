package io.engagementscorer.scoring;

import java.time.Duration;

/**
 * How a {@link MicroBatcher} groups work.
 *
 * @param maxBatchSize most items per batch
 * @param maxDelay longest the first item of a batch waits for others to join it
 * @param queueCapacity items that may wait; more are refused at once
 * @param timeout longest an item may take from submission to result
 * @param workers threads running batches, each with its own processor
 */
public record BatcherSettings(
    int maxBatchSize, Duration maxDelay, int queueCapacity, Duration timeout, int workers) {

  /** Checks the values are usable. */
  public BatcherSettings {
    if (maxBatchSize < 1 || queueCapacity < 1 || workers < 1) {
      throw new IllegalArgumentException("batch size, queue capacity and workers must be >= 1");
    }
    if (maxDelay.isNegative() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("delay must be >= 0 and timeout > 0");
    }
  }
}
