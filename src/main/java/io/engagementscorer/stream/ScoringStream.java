package io.engagementscorer.stream;

import io.engagementscorer.config.StreamsSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Kafka Streams client for the scoring topology: configured from {@link StreamsSettings},
 * started with a deadline for reaching RUNNING, reported to health, liveness, readiness (with its
 * restorations and a probe of the brokers) and metrics, and closed cleanly.
 */
public final class ScoringStream implements StreamsStatus, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringStream.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics metrics;
  private final RestorationTracker restorations;
  private final BrokerProbe brokers;

  private ScoringStream(
      KafkaStreams streams,
      KafkaStreamsMetrics metrics,
      RestorationTracker restorations,
      BrokerProbe brokers) {
    this.streams = streams;
    this.metrics = metrics;
    this.restorations = restorations;
    this.brokers = brokers;
  }

  /** The Kafka Streams configuration of {@code settings}. */
  static Properties properties(StreamsSettings settings) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, settings.applicationServer());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.replicationFactor());
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) settings.transactionTimeout().toMillis());
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
        (int) settings.maxPollInterval().toMillis());
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG),
        (int) committedOffsetsWait(settings.transactionTimeout()).toMillis());
    props.putAll(settings.extraProperties());
    return props;
  }

  /**
   * How long one blocking call of the stream thread's consumer may wait, a third of the transaction
   * timeout (at least 1 s, at most the client's 60 s default). Taking over a dead instance's
   * partitions, the thread fetches their committed offsets, which under exactly-once waits for any
   * transaction of the dead instance that holds offsets for them to be aborted: up to its
   * transaction timeout, plus the broker's check interval. The thread's own transaction stays open
   * meanwhile; were the wait longer than the transaction timeout, the broker would abort it and
   * fence the survivor, which then closes all its tasks, wipes their state and rejoins. A wait this
   * short ends in a timeout instead, which Kafka Streams retries at the next loop after committing
   * what it processed.
   */
  static Duration committedOffsetsWait(Duration transactionTimeout) {
    Duration third = Duration.ofMillis(transactionTimeout.toMillis() / 3);
    Duration floor = Duration.ofSeconds(1);
    Duration ceiling = Duration.ofSeconds(60);
    return third.compareTo(floor) < 0 ? floor : third.compareTo(ceiling) > 0 ? ceiling : third;
  }

  /**
   * Starts the topology and waits until it runs.
   *
   * @throws IllegalStateException when it has not reached RUNNING within the start-up timeout, or
   *     stopped on the way; the client is closed
   */
  public static ScoringStream start(
      StreamsSettings settings, Topology topology, MeterRegistry registry) {
    Properties properties = properties(settings);
    KafkaStreams streams = new KafkaStreams(topology, properties);
    streams.setStateListener(
        (now, before) -> LOG.info("Kafka Streams state {} -> {}", before, now));
    RestorationTracker restorations = new RestorationTracker();
    restorations.bindTo(registry);
    streams.setGlobalStateRestoreListener(restorations);
    streams.setUncaughtExceptionHandler(new ThreadFailures(registry));
    KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
    metrics.bindTo(registry);
    streams.start();
    long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      KafkaStreams.State state = streams.state();
      if (!state.isRunningOrRebalancing() || System.nanoTime() > deadline) {
        streams.close(CLOSE_TIMEOUT);
        metrics.close();
        throw new IllegalStateException(
            "Kafka Streams did not reach RUNNING within "
                + settings.startupTimeout().toSeconds()
                + " s (state "
                + state
                + ", brokers "
                + settings.bootstrapServers()
                + ", input topic "
                + settings.inputTopic()
                + ")");
      }
      sleep();
    }
    LOG.info(
        "Scoring {} -> {} (dead letters: {}), {}",
        settings.inputTopic(),
        settings.outputTopic(),
        settings.deadLetterTopic(),
        settings.processingGuarantee());
    BrokerProbe brokers =
        BrokerProbe.start(
            new StreamsConfig(properties)
                .getAdminConfigs(settings.applicationId() + "-broker-probe-" + UUID.randomUUID()));
    return new ScoringStream(streams, metrics, restorations, brokers);
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka Streams", e);
    }
  }

  /** The Kafka Streams client, for interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public String state() {
    return streams.state().name();
  }

  @Override
  public boolean healthy() {
    return streams.state().isRunningOrRebalancing();
  }

  @Override
  public Optional<String> failure() {
    return failure(streams.state());
  }

  @Override
  public List<String> notReadyReasons() {
    return notReadyReasons(streams.state(), restorations.reasons(), brokers.problem());
  }

  /** Only ERROR and the way to it are final: every other state recovers, or is a shutdown. */
  static Optional<String> failure(KafkaStreams.State state) {
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
      return Optional.of("the stream stopped for good (state " + state + "); the log says why");
    }
    return Optional.empty();
  }

  /**
   * Ready only while RUNNING (every task assigned and restored), with no store partition restoring
   * and the brokers answering.
   */
  static List<String> notReadyReasons(
      KafkaStreams.State state, List<String> restoring, Optional<String> brokers) {
    List<String> reasons = new ArrayList<>();
    if (state != KafkaStreams.State.RUNNING) {
      reasons.add("stream " + state + ", not RUNNING");
    }
    reasons.addAll(restoring);
    brokers.ifPresent(reasons::add);
    return reasons;
  }

  /** Stops processing, commits, and leaves the group. */
  @Override
  public void close() {
    brokers.close();
    metrics.close();
    streams.close(
        CloseOptions.timeout(CLOSE_TIMEOUT)
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
  }
}
