package io.engagementscorer.stream;

import static io.engagementscorer.stream.StreamTestKit.closeAll;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.testing.EmbeddedKafka;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A survivor taking over a dead peer's partitions fetches their committed offsets, which under
 * exactly-once waits for the peer's unfinished transaction, still holding offsets for them, to be
 * aborted. Its own transaction stays open meanwhile. The peer's unfinished transaction is played
 * here by a transactional producer that stakes offsets for every input partition and never ends,
 * with a timeout of {@link #ABANDONED_TIMEOUT}, longer than the instances' own {@link
 * #TRANSACTION_TIMEOUT_MS}. Then one of two instances stops while posts keep coming: the survivor
 * must wait without being fenced (its consumer's blocking calls are bounded by a third of its
 * transaction timeout, then retried), and a survivor whose consumer may wait the client's 60 s
 * default is fenced, which shows that the first test can fail. Both score every post exactly once.
 */
class SelfFencingIT {
  private static final String APPLICATION_ID = "self-fencing-it";
  private static final int PARTITIONS = 4;
  private static final int TRANSACTION_TIMEOUT_MS = 6000;
  private static final Duration ABANDONED_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration POSTS_BEFORE_THE_STOP = Duration.ofSeconds(5);
  private static final Duration POSTS_AFTER_THE_STOP = ABANDONED_TIMEOUT.plusSeconds(10);
  private static final long POST_INTERVAL_MS = 25;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(120);
  private static final List<String> FENCING =
      List.of("TaskMigratedException", "ProducerFencedException", "InvalidProducerEpochException");
  private static final String PENDING_OFFSETS_WAIT = "while trying to fetch committed offsets";

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private EmbeddedKafka kafka;
  private Application stopping;
  private Application survivor;
  private KafkaProducer<String, String> abandoned;

  @BeforeEach
  void captureTheLog() {
    logged.start();
    rootLogger().addAppender(logged);
  }

  @AfterEach
  void stopEverything() throws Exception {
    rootLogger().detachAppender(logged);
    closeAll(abandoned, survivor, stopping, kafka);
  }

  @Test
  void shouldWaitForADeadPeersPendingOffsetsWithoutBeingFenced() throws Exception {
    Takeover takeover = takeOverWhileOffsetsArePending(Map.of());

    assertThat(takeover.waitsOnPendingOffsets())
        .as("the survivor met the pending offsets and retried")
        .isPositive();
    assertThat(takeover.fencing()).as("the survivor was fenced").isEmpty();
    assertThat(takeover.scoresPerPost())
        .containsOnlyKeys(takeover.published())
        .allSatisfy((post, scores) -> assertThat(scores).as("scores of " + post).isEqualTo(1L));
  }

  @Test
  void shouldBeFencedWhenItsConsumerMayWaitLongerThanItsTransaction() throws Exception {
    Takeover takeover =
        takeOverWhileOffsetsArePending(
            Map.of("KAFKA_STREAMS_MAIN_CONSUMER_DEFAULT_API_TIMEOUT_MS", "60000"));

    assertThat(takeover.fencing()).as("the survivor was fenced").isNotEmpty();
    assertThat(takeover.scoresPerPost())
        .containsOnlyKeys(takeover.published())
        .allSatisfy((post, scores) -> assertThat(scores).as("scores of " + post).isEqualTo(1L));
  }

  /** What a takeover left: the posts published, scores per post, and what the log said. */
  private record Takeover(
      List<String> published,
      Map<String, Long> scoresPerPost,
      long waitsOnPendingOffsets,
      List<String> fencing) {}

  private Takeover takeOverWhileOffsetsArePending(Map<String, String> extra) throws Exception {
    kafka =
        EmbeddedKafka.start(
            Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
    kafka.createTopic("posts", PARTITIONS);
    int stoppingPort = freePort();
    int survivorPort = freePort();
    stopping = Application.start(ServiceConfig.fromEnv(instanceEnvironment(stoppingPort, extra)));
    survivor = Application.start(ServiceConfig.fromEnv(instanceEnvironment(survivorPort, extra)));
    awaitReady(stoppingPort);
    awaitReady(survivorPort);

    List<String> published = new ArrayList<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    Thread producer = new Thread(() -> publishUntilStopped(published, producing), "posts");
    producer.start();
    Thread.sleep(POSTS_BEFORE_THE_STOP.toMillis());
    abandoned = stakePendingOffsets();
    int loggedBeforeTheStop = loggedSoFar().size();
    stopping.close();
    stopping = null;
    Thread.sleep(POSTS_AFTER_THE_STOP.toMillis());
    producing.set(false);
    producer.join();

    List<ConsumerRecord<String, byte[]>> scores =
        StreamTestKit.readUntil(
            kafka.bootstrapServers(),
            "engagement-scores",
            new ByteArrayDeserializer(),
            records ->
                records.stream().map(ConsumerRecord::key).distinct().count() >= published.size());
    List<ILoggingEvent> everything = loggedSoFar();
    List<ILoggingEvent> afterTheStop = everything.subList(loggedBeforeTheStop, everything.size());
    return new Takeover(
        published,
        scores.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting())),
        afterTheStop.stream()
            .filter(event -> event.getFormattedMessage().contains(PENDING_OFFSETS_WAIT))
            .count(),
        afterTheStop.stream().map(SelfFencingIT::fencingIn).filter(s -> !s.isEmpty()).toList());
  }

  private Map<String, String> instanceEnvironment(int port, Map<String, String> extra)
      throws IOException {
    Map<String, String> env =
        StreamTestKit.serviceEnvironment(port, kafka.bootstrapServers(), "mock://self-fencing-it");
    env.put("APPLICATION_ID", APPLICATION_ID);
    env.put("INPUT_FORMAT", "json");
    env.put("TRANSACTION_TIMEOUT_MS", Integer.toString(TRANSACTION_TIMEOUT_MS));
    env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
    env.putAll(extra);
    return env;
  }

  /** One post every {@link #POST_INTERVAL_MS} ms, round the partitions, until told to stop. */
  private void publishUntilStopped(List<String> published, AtomicBoolean producing) {
    AtomicInteger index = new AtomicInteger();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      while (producing.get()) {
        int n = index.getAndIncrement();
        String post = "post-" + n;
        String value = "{\"post_id\": \"" + post + "\", \"text\": \"Post number " + n + "\"}";
        producer.send(new ProducerRecord<>("posts", n % PARTITIONS, post, value)).get();
        synchronized (published) {
          published.add(post);
        }
        Thread.sleep(POST_INTERVAL_MS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("publishing posts failed", e);
    }
  }

  /**
   * Opens a transaction that commits the group's current offsets of every input partition and never
   * ends: the broker aborts it after {@link #ABANDONED_TIMEOUT}, as it aborts a dead instance's.
   */
  private KafkaProducer<String, String> stakePendingOffsets() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      committed =
          admin
              .listConsumerGroupOffsets(APPLICATION_ID)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
    }
    Map<TopicPartition, OffsetAndMetadata> inputOffsets =
        committed.entrySet().stream()
            .filter(entry -> entry.getKey().topic().equals("posts"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(inputOffsets).as("committed input offsets").hasSize(PARTITIONS);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "abandoned-peer");
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) ABANDONED_TIMEOUT.toMillis());
    KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    producer.initTransactions();
    producer.beginTransaction();
    producer.sendOffsetsToTransaction(inputOffsets, outsiderOf(APPLICATION_ID));
    return producer;
  }

  /**
   * The metadata of a consumer of {@code group} that never joined it (no generation, no member id),
   * which the coordinator accepts in a transaction without checking membership.
   */
  private ConsumerGroupMetadata outsiderOf(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return consumer.groupMetadata();
    }
  }

  private static void awaitReady(int port) throws Exception {
    long end = System.nanoTime() + READY_DEADLINE.toNanos();
    while (get(port, "/api/v1/health/ready").statusCode() != 200) {
      assertThat(System.nanoTime()).as("instance on :" + port + " ready in time").isLessThan(end);
      Thread.sleep(200);
    }
  }

  /** The fencing exceptions an event names, in its message or its causes. */
  private static String fencingIn(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getFormattedMessage());
    for (IThrowableProxy cause = event.getThrowableProxy();
        cause != null;
        cause = cause.getCause()) {
      text.append(' ').append(cause.getClassName()).append(' ').append(cause.getMessage());
    }
    return FENCING.stream()
        .filter(name -> text.indexOf(name) >= 0)
        .collect(Collectors.joining(", "));
  }

  /** A copy of what was logged so far (the appender appends holding its own lock). */
  private List<ILoggingEvent> loggedSoFar() {
    synchronized (logged) {
      return List.copyOf(logged.list);
    }
  }

  private static Logger rootLogger() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
