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
import io.engagementscorer.testing.LibrdkafkaPartitioner;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Posts produced with librdkafka's default partitioner (CRC32 of the key, what Python, Go, C# and
 * kcat producers use) land on other partitions than Kafka's Java client would put them on
 * (murmur2). Two instances share the input; every post, whichever hashing placed it, is found from
 * either instance.
 */
class ScoreLookupIT {
  private static final int PARTITIONS = 4;
  private static final int POSTS_PER_PRODUCER = 24;
  private static final Duration SETTLE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private EmbeddedKafka kafka;
  private Application first;
  private Application second;

  @AfterEach
  void stopEverything() throws Exception {
    closeAll(second, first, kafka);
  }

  @Test
  void shouldFindEveryPostWhicheverPartitionerItsProducerUsedFromEitherInstance() throws Exception {
    kafka = EmbeddedKafka.start();
    kafka.createTopic("posts", PARTITIONS);
    int firstPort = freePort();
    int secondPort = freePort();
    first = Application.start(ServiceConfig.fromEnv(instanceEnvironment(firstPort)));
    second = Application.start(ServiceConfig.fromEnv(instanceEnvironment(secondPort)));

    Map<String, Integer> placed = new TreeMap<>();
    placed.putAll(publish("java", null));
    placed.putAll(publish("librdkafka", LibrdkafkaPartitioner.class));
    Set<String> movedByCrc32 =
        placed.entrySet().stream()
            .filter(post -> post.getKey().startsWith("librdkafka"))
            .filter(post -> post.getValue() != murmur2Partition(post.getKey()))
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());
    assertThat(movedByCrc32)
        .as("posts that CRC32 put on another partition than murmur2 would")
        .hasSizeGreaterThan(POSTS_PER_PRODUCER / 2);
    StreamTestKit.readUntil(
        kafka.bootstrapServers(),
        "engagement-scores",
        new ByteArrayDeserializer(),
        records ->
            records.stream().map(record -> record.key()).collect(Collectors.toSet()).size()
                == placed.size());

    Map<String, String> failures = lookUpUntilSettled(placed.keySet(), firstPort, secondPort);

    assertThat(failures).as("lookups that did not answer 200").isEmpty();
    Set<String> servedBy = new HashSet<>();
    for (String post : placed.keySet()) {
      for (int port : List.of(firstPort, secondPort)) {
        JsonNode score = JSON.readTree(get(port, "/api/v1/scores/" + post).body());
        assertThat(score.get("post_id").asText()).isEqualTo(post);
        assertThat(score.get("cleaned_text").asText())
            .isEqualTo("text of " + post.replace('-', ' '));
        servedBy.add(score.get("served_by").asText());
      }
    }
    assertThat(servedBy)
        .as("both instances own partitions")
        .containsExactlyInAnyOrder("127.0.0.1:" + firstPort, "127.0.0.1:" + secondPort);
    for (int port : List.of(firstPort, secondPort)) {
      HttpResponse<String> missing = get(port, "/api/v1/scores/never-published");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(missing.body()).get("detail").asText())
          .isEqualTo("post never-published has no score yet");
    }
  }

  private Map<String, String> instanceEnvironment(int port) throws IOException {
    Map<String, String> env =
        StreamTestKit.serviceEnvironment(port, kafka.bootstrapServers(), "mock://score-lookup-it");
    env.put("APPLICATION_ID", "score-lookup-it");
    env.put("INPUT_FORMAT", "json");
    return env;
  }

  /** Publishes posts as JSON with {@code partitioner} (null: the Java client's default). */
  private Map<String, Integer> publish(String prefix, Class<? extends Partitioner> partitioner)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    if (partitioner != null) {
      props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
    }
    Map<String, Integer> placed = new TreeMap<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int index = 0; index < POSTS_PER_PRODUCER; index++) {
        String post = prefix + "-post-" + index;
        String value =
            "{\"post_id\": \"" + post + "\", \"text\": \"Text of " + post.replace('-', ' ') + "\"}";
        RecordMetadata metadata = producer.send(new ProducerRecord<>("posts", post, value)).get();
        placed.put(post, metadata.partition());
      }
    }
    return placed;
  }

  /**
   * Asks both instances for every post until all answer 200 or the deadline passes (the second
   * instance's join moves partitions, which restore before they answer), and returns what did not.
   */
  private static Map<String, String> lookUpUntilSettled(Set<String> posts, int... ports)
      throws Exception {
    Map<String, String> failures = new TreeMap<>();
    long end = System.nanoTime() + SETTLE.toNanos();
    do {
      failures.clear();
      for (String post : posts) {
        for (int port : ports) {
          HttpResponse<String> response = get(port, "/api/v1/scores/" + post);
          if (response.statusCode() != 200) {
            failures.put(post + " from :" + port, response.statusCode() + " " + response.body());
          }
        }
      }
      if (!failures.isEmpty()) {
        Thread.sleep(500);
      }
    } while (!failures.isEmpty() && System.nanoTime() < end);
    return failures;
  }

  private static int murmur2Partition(String key) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }
}
