package io.engagementscorer.stream;

import static io.engagementscorer.stream.StreamTestKit.closeAll;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.testing.EmbeddedKafka;
import io.engagementscorer.testing.KafkaBrokerProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness tells the truth on a real broker: it turns 503 within 10 s of losing the broker and 200
 * within 10 s of its return, while liveness stays 200 (a restart would not help); and an instance
 * that takes over partitions is not ready until it has restored their state.
 */
class ReadinessIT {
  private static final Logger LOG = LoggerFactory.getLogger(ReadinessIT.class);
  private static final Duration FLIP_LIMIT = Duration.ofSeconds(10);
  private static final Duration SETTLE = Duration.ofSeconds(120);
  private static final int POSTS = 20;
  // Enough changelog to make restoring the taken-over partitions last a while.
  private static final int PADDING_RECORDS = 200_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private KafkaBrokerProcess broker;
  private EmbeddedKafka kafka;
  private Application first;
  private Application second;

  @AfterEach
  void stopEverything() throws Exception {
    closeAll(second, first, kafka, broker);
  }

  @Test
  void shouldTurnUnreadyWhenTheBrokerIsLostAndReadyWhenItReturnsEachWithinTenSeconds()
      throws Exception {
    broker = KafkaBrokerProcess.start();
    broker.createTopic("posts", 2);
    int port = freePort();
    first =
        Application.start(
            ServiceConfig.fromEnv(
                environment(port, broker.bootstrapServers(), "readiness-broker")));
    awaitReadiness(port, 200, SETTLE);

    broker.kill();
    long lost = System.nanoTime();
    JsonNode unready = awaitReadiness(port, 503, SETTLE);
    Duration toUnready = Duration.ofNanos(System.nanoTime() - lost);
    HttpResponse<String> liveWithoutBroker = get(port, "/api/v1/health/live");

    broker.restart();
    long back = System.nanoTime();
    awaitReadiness(port, 200, SETTLE);
    Duration toReady = Duration.ofNanos(System.nanoTime() - back);

    LOG.info(
        "Readiness: 503 {} ms after the broker was killed, 200 {} ms after it served again",
        toUnready.toMillis(),
        toReady.toMillis());
    assertThat(toUnready).as("time to 503 after losing the broker").isLessThan(FLIP_LIMIT);
    assertThat(toReady).as("time to 200 after the broker's return").isLessThan(FLIP_LIMIT);
    assertThat(unready.get("ready").asBoolean()).isFalse();
    assertThat(reasons(unready)).anyMatch(reason -> reason.startsWith("broker unreachable for"));
    assertThat(liveWithoutBroker.statusCode()).as("liveness without a broker").isEqualTo(200);
    // The group may rebalance once more as the broker settles: allow it the same limit.
    JsonNode health = awaitHealthReady(port, FLIP_LIMIT);
    assertThat(health.get("ready").asBoolean()).as("health: %s", health).isTrue();
    assertThat(health.get("reasons")).isEmpty();
  }

  @Test
  void shouldNotBeReadyWhileRestoringThePartitionsItTookOver() throws Exception {
    kafka = EmbeddedKafka.start();
    kafka.createTopic("posts", 4);
    int firstPort = freePort();
    int secondPort = freePort();
    first =
        Application.start(
            ServiceConfig.fromEnv(environment(firstPort, kafka.bootstrapServers(), "restore-it")));
    publishPosts();
    padPostStateChangelog("restore-it-post-state-changelog");
    second =
        Application.start(
            ServiceConfig.fromEnv(environment(secondPort, kafka.bootstrapServers(), "restore-it")));
    awaitReadiness(secondPort, 200, SETTLE);

    ExecutorService watcher = Executors.newSingleThreadExecutor();
    try {
      Future<List<String>> seen = watcher.submit(() -> watchReadinessUntilReadyAgain(secondPort));
      first.close();
      first = null;
      List<String> answers = seen.get();

      assertThat(answers)
          .as("readiness of the instance that took over, answer by answer")
          .anyMatch(answer -> answer.startsWith("503") && answer.contains("restoring"))
          .last()
          .asString()
          .startsWith("200");
    } finally {
      watcher.shutdownNow();
    }
    for (int post = 0; post < POSTS; post++) {
      assertThat(get(secondPort, "/api/v1/scores/restored-" + post + "?local=true").statusCode())
          .as("restored-%d from the instance that took it over, once ready", post)
          .isEqualTo(200);
    }
  }

  private static Map<String, String> environment(
      int port, String bootstrapServers, String applicationId) throws IOException {
    Map<String, String> env =
        StreamTestKit.serviceEnvironment(port, bootstrapServers, "mock://" + applicationId);
    env.put("APPLICATION_ID", applicationId);
    env.put("INPUT_FORMAT", "json");
    return env;
  }

  private void publishPosts() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int post = 0; post < POSTS; post++) {
        String id = "restored-" + post;
        producer.send(
            new ProducerRecord<>(
                "posts", id, "{\"post_id\": \"" + id + "\", \"text\": \"Restore me\"}"));
      }
    }
    StreamTestKit.readUntil(
        kafka.bootstrapServers(),
        "engagement-scores",
        new ByteArrayDeserializer(),
        records -> records.stream().map(r -> r.key()).collect(Collectors.toSet()).size() == POSTS);
  }

  /**
   * Writes records for posts that never arrive into the changelog of the post-state store (what
   * restoring copies, byte for byte, without reading it), so that a partition has much to restore.
   */
  private void padPostStateChangelog(String changelog) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    byte[] value = new byte[100];
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int record = 0; record < PADDING_RECORDS; record++) {
        producer.send(new ProducerRecord<>(changelog, "padding-" + record, value));
      }
    }
  }

  /** Every readiness answer ({@code status body}) until a 200 follows a 503, or the deadline. */
  private static List<String> watchReadinessUntilReadyAgain(int port) throws Exception {
    List<String> answers = new ArrayList<>();
    boolean sawUnready = false;
    long start = System.nanoTime();
    long end = start + SETTLE.toNanos();
    while (System.nanoTime() < end) {
      HttpResponse<String> response = get(port, "/api/v1/health/ready");
      String answer = response.statusCode() + " " + response.body();
      if (answers.isEmpty() || !answers.get(answers.size() - 1).equals(answer)) {
        answers.add(answer);
        LOG.info("+{} ms: {}", Duration.ofNanos(System.nanoTime() - start).toMillis(), answer);
      }
      sawUnready |= response.statusCode() == 503;
      if (sawUnready && response.statusCode() == 200) {
        return answers;
      }
      Thread.sleep(20);
    }
    return answers;
  }

  /** Polls readiness until it answers {@code status}, and returns that answer's body. */
  private static JsonNode awaitReadiness(int port, int status, Duration deadline) throws Exception {
    HttpResponse<String> response =
        StreamTestKit.awaitStatus(port, "/api/v1/health/ready", status, deadline);
    assertThat(response.statusCode()).as("readiness: %s", response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  /** Polls the health summary until it says ready, and returns its last answer. */
  private static JsonNode awaitHealthReady(int port, Duration deadline) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    JsonNode health = JSON.readTree(get(port, "/api/v1/health").body());
    while (!health.get("ready").asBoolean() && System.nanoTime() < end) {
      Thread.sleep(100);
      health = JSON.readTree(get(port, "/api/v1/health").body());
    }
    return health;
  }

  private static List<String> reasons(JsonNode readiness) {
    List<String> reasons = new ArrayList<>();
    readiness.get("reasons").forEach(reason -> reasons.add(reason.asText()));
    return reasons;
  }
}
