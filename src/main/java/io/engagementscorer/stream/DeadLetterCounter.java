package io.engagementscorer.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts dead letters by stage ({@code engagement_stream_dead_letters_total{stage=...}}). */
final class DeadLetterCounter {
  private final MeterRegistry registry;

  DeadLetterCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  void increment(String stage) {
    Counter.builder("engagement.stream.dead.letters")
        .tag("stage", stage)
        .description("Records sent to the dead-letter topic")
        .register(registry)
        .increment();
  }
}
