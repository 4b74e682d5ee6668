package io.engagementscorer.stream;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients and helpers the integration tests that run the stream share. */
public final class StreamTestKit {
  private static final Duration DEADLINE = Duration.ofSeconds(240);

  private StreamTestKit() {}

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * The environment of a service instance with the stream on this broker and registry, serving HTTP
   * on 127.0.0.1:{@code port}; callers add what their test needs.
   */
  public static Map<String, String> serviceEnvironment(
      int port, String bootstrapServers, String registryUrl) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(port));
    env.put("MODEL_DIR", "models/tiny");
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    env.put("SCHEMA_REGISTRY_URL", registryUrl);
    env.put("STATE_DIR", Files.createTempDirectory("stream-it-state-" + port).toString());
    env.put("APPLICATION_SERVER", "127.0.0.1:" + port);
    env.put("BATCH_MAX_DELAY_MS", "20");
    return env;
  }

  /** Closes what was started, last first, skipping what never started. */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        resource.close();
      }
    }
  }

  /** An idempotent producer of raw values keyed by post id. */
  public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** Reads a topic from the beginning, read_committed, until {@code done} holds or the deadline. */
  public static <V> List<ConsumerRecord<String, V>> readUntil(
      String bootstrapServers,
      String topic,
      Deserializer<V> values,
      Predicate<List<ConsumerRecord<String, V>>> done) {
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = fromBeginning(bootstrapServers, topic, values)) {
      long end = System.nanoTime() + DEADLINE.toNanos();
      while (!done.test(records) && System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * Everything committed on {@code topic} now: read from the beginning, read_committed, up to the
   * end offsets taken first (for read_committed, the last stable offsets).
   */
  public static <V> List<ConsumerRecord<String, V>> readAll(
      String bootstrapServers, String topic, Deserializer<V> values) {
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = fromBeginning(bootstrapServers, topic, values)) {
      Set<TopicPartition> partitions = consumer.assignment();
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long end = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("could not read " + topic + " to its end offsets");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** A read_committed consumer assigned every partition of {@code topic}, at the beginning. */
  private static <V> KafkaConsumer<String, V> fromBeginning(
      String bootstrapServers, String topic, Deserializer<V> values) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** Reads the scores topic from the beginning until {@code done} holds or the deadline. */
  public static List<ConsumerRecord<String, EngagementScore>> readScores(
      String bootstrapServers,
      SchemaRegistryClient schemas,
      Predicate<List<ConsumerRecord<String, EngagementScore>>> done) {
    return readUntil(
        bootstrapServers,
        "engagement-scores",
        new ConfluentAvroDeserializer<>(schemas, EngagementScore.class),
        done);
  }

  /**
   * Polls {@code path} every 100 ms until it answers {@code status} or {@code deadline} has passed,
   * and returns the last answer.
   */
  public static HttpResponse<String> awaitStatus(
      int port, String path, int status, Duration deadline)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    HttpResponse<String> response = get(port, path);
    while (response.statusCode() != status && System.nanoTime() < end) {
      Thread.sleep(100);
      response = get(port, path);
    }
    return response;
  }

  public static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
