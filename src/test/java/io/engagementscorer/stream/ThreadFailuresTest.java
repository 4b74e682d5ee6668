package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.engagementscorer.stream.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong clock = new AtomicLong();
  private final ThreadFailures failures = new ThreadFailures(registry, clock::get);

  @Test
  void shouldReplaceTheThreadWhenTheBrokersOrTheRegistryAreUnreachable() {
    assertThat(failures.handle(brokerTimeout()))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(
            failures.handle(new StreamsException(new NotLeaderOrFollowerException("leader moved"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(failures.handle(new SchemaRegistryUnavailableException("registry down")))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    // What kafka-clients 4.3 raises once sends expired during an outage, as the thread sees it.
    assertThat(
            failures.handle(
                new StreamsException(
                    "Error encountered trying to add offsets to a transaction",
                    new KafkaException(
                        "Cannot execute transactional method because we are in an error state",
                        new KafkaException(
                            "The client hasn't received acknowledgment for some previously sent"
                                + " messages and can no longer retry them. It is safe to abort the"
                                + " transaction and continue.")))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);

    assertThat(failures.handle(new TransactionAbortableException("abort and continue")))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);

    assertThat(replacements("kafka_retriable")).isEqualTo(2.0);
    assertThat(replacements("registry_unavailable")).isEqualTo(1.0);
    assertThat(replacements("abortable_transaction")).isEqualTo(2.0);
  }

  @Test
  void shouldStopTheStreamOnAnythingElse() {
    assertThat(failures.handle(new IllegalStateException("bug")))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(failures.handle(new StreamsException(new SerializationException("bad schema"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(failures.handle(new StreamsException(new KafkaException("Unexpected error"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    // Every cause's series is there from the start, at 0, for the alert on its increase.
    assertThat(registry.find(ThreadFailures.REPLACEMENTS_METER).counters())
        .hasSize(ThreadFailures.Cause.values().length)
        .allSatisfy(counter -> assertThat(counter.count()).isZero());
  }

  @Test
  void shouldStopTheStreamWhenAThreadKeepsFailingAndForgiveFailuresOutsideTheWindow() {
    for (int replacement = 0; replacement < ThreadFailures.MAX_REPLACEMENTS; replacement++) {
      assertThat(failures.handle(brokerTimeout()))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
      clock.addAndGet(1_000_000_000L);
    }
    assertThat(failures.handle(brokerTimeout()))
        .as("a sixth failure within a minute")
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

    clock.addAndGet(ThreadFailures.LOOP_WINDOW.toNanos());
    assertThat(failures.handle(brokerTimeout()))
        .as("a failure once the earlier ones are more than a minute old")
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  private double replacements(String cause) {
    return registry.get(ThreadFailures.REPLACEMENTS_METER).tag("cause", cause).counter().count();
  }

  private static StreamsException brokerTimeout() {
    return new StreamsException(
        "Error encountered sending record to topic engagement-scores",
        new TimeoutException("Expiring 1 record(s): 120000 ms has passed since batch creation"));
  }
}
