package io.engagementscorer.stream;

import io.engagementscorer.stream.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed stream thread means for the stream. A failure of the environment that passes (the
 * schema registry or the brokers unreachable, a retriable Kafka error that outlasted the client's
 * own retries, sends expired with the brokers away, which leave a transaction safe to abort)
 * replaces the thread: the new one resumes from the last committed offsets, and under exactly-once
 * the old one's open transaction is aborted, so nothing is lost or written twice. Anything else is
 * a bug or a broken environment, and so is a thread that keeps failing (more than {@value
 * #MAX_REPLACEMENTS} replacements within {@link #LOOP_WINDOW}, which no outage produces: each of
 * its failures takes a client timeout): the stream stops, and liveness and health report it.
 *
 * <p>Replacements are counted by {@link Cause} in {@value #REPLACEMENTS_METER}, each series
 * registered at 0 from the start so that an alert on its increase sees the first one.
 */
final class ThreadFailures implements StreamsUncaughtExceptionHandler {
  static final int MAX_REPLACEMENTS = 5;
  static final Duration LOOP_WINDOW = Duration.ofMinutes(1);
  static final String REPLACEMENTS_METER = "engagement.stream.thread.replacements";
  // TransactionManager.maybeResolveSequences, kafka-clients 4.x.
  private static final String ABORTABLE_STATE = "It is safe to abort the transaction and continue";
  private static final Logger LOG = LoggerFactory.getLogger(ThreadFailures.class);

  /** Why a thread was replaced: the {@code cause} tag, a fixed set. */
  enum Cause {
    /** A Kafka error the client classes as retriable: timeouts, lost connections, leader moves. */
    KAFKA_RETRIABLE,
    /** Sends expired with the brokers away; the producer's transaction can only be aborted. */
    ABORTABLE_TRANSACTION,
    /** The schema registry unreachable. */
    REGISTRY_UNAVAILABLE;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Cause, Counter> replacements = new EnumMap<>(Cause.class);
  private final LongSupplier nanoClock;
  private final Deque<Long> recentReplacements = new ArrayDeque<>();

  ThreadFailures(MeterRegistry registry) {
    this(registry, System::nanoTime);
  }

  ThreadFailures(MeterRegistry registry, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    for (Cause cause : Cause.values()) {
      replacements.put(
          cause,
          Counter.builder(REPLACEMENTS_METER)
              .description(
                  "Stream threads replaced after a transient failure"
                      + " (registry or brokers unreachable, a transaction to abort)")
              .tag("cause", cause.tag())
              .register(registry));
    }
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
    Optional<Throwable> transientCause = transientCause(failure);
    if (transientCause.isEmpty()) {
      LOG.error("Kafka Streams thread failed; stopping the stream", failure);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    long now = nanoClock.getAsLong();
    while (!recentReplacements.isEmpty()
        && now - recentReplacements.peekFirst() > LOOP_WINDOW.toNanos()) {
      recentReplacements.removeFirst();
    }
    if (recentReplacements.size() >= MAX_REPLACEMENTS) {
      LOG.error(
          "Kafka Streams thread failed again ({} replacements within {} s); stopping the stream",
          recentReplacements.size(),
          LOOP_WINDOW.toSeconds(),
          failure);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recentReplacements.addLast(now);
    Cause cause = cause(transientCause.get());
    replacements.get(cause).increment();
    LOG.error(
        "{}; restarting the stream thread from the last commit: {}{}",
        cause == Cause.REGISTRY_UNAVAILABLE ? "Schema registry unavailable" : "Kafka unavailable",
        failure,
        transientCause.get() == failure ? "" : " (caused by " + transientCause.get() + ")");
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /**
   * The first transient cause in {@code failure}'s chain: the registry unreachable, or a Kafka
   * error the client classes as retriable (timeouts, lost connections, leaders or coordinators
   * moving).
   */
  static Optional<Throwable> transientCause(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SchemaRegistryUnavailableException
          || cause instanceof RetriableException
          || cause instanceof TransactionAbortableException
          || abortableTransactionState(cause)) {
        return Optional.of(cause);
      }
    }
    return Optional.empty();
  }

  /** The kind of a cause that {@link #transientCause} found. */
  static Cause cause(Throwable transientCause) {
    if (transientCause instanceof SchemaRegistryUnavailableException) {
      return Cause.REGISTRY_UNAVAILABLE;
    }
    if (transientCause instanceof TransactionAbortableException
        || abortableTransactionState(transientCause)) {
      return Cause.ABORTABLE_TRANSACTION;
    }
    return Cause.KAFKA_RETRIABLE;
  }

  /**
   * The producer's own verdict on sends that expired while the brokers were away: its transaction
   * manager enters an abortable error state with a plain {@link KafkaException} that says so, and
   * Kafka Streams, committing the other tasks, fails the thread with it.
   */
  private static boolean abortableTransactionState(Throwable cause) {
    return cause.getClass() == KafkaException.class
        && cause.getMessage() != null
        && cause.getMessage().contains(ABORTABLE_STATE);
  }
}
