package io.engagementscorer.stream;

import static io.engagementscorer.stream.StreamTestKit.closeAll;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.testing.ClientTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Confluent's own client against the running service: its Python client ({@code confluent-kafka},
 * librdkafka inside) with Confluent's {@code SchemaRegistryClient}, {@code AvroSerializer} and
 * {@code AvroDeserializer} publishes post events written with an older {@code PostEvent} schema (no
 * {@code eventTime}, comments without {@code createdAt}) to a real KRaft broker and the real
 * Apicurio registry (Confluent API), and reads the service's scores back. Confluent's Java
 * serializer is not on Maven Central; this is the nearest the build gets to it. The script is
 * {@code src/test/resources/confluent/confluent_roundtrip.py}, run with {@code ops/.venv-clients}.
 */
class ConfluentClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path RESOURCES = Path.of("src/test/resources/confluent");
  private static final Path OLDER_SCHEMA = RESOURCES.resolve("PostEvent-before-times.avsc");
  private static final String MODEL_VERSION = "tiny-1";

  private static StreamStack stack;
  private static Application application;

  @BeforeAll
  static void startStack() throws Exception {
    stack = StreamStack.start(4);
    Map<String, String> env = stack.serviceEnvironment(freePort());
    application = Application.start(ServiceConfig.fromEnv(env));
  }

  @AfterAll
  static void stopStack() throws Exception {
    closeAll(application, stack);
  }

  @Test
  void shouldScoreEveryPostThatConfluentsSerializerWroteWithAnOlderSchema() throws Exception {
    List<Map<String, Object>> events = new ArrayList<>();
    events.add(
        event(
            "confluent-0",
            "Confluent says hello! #interop",
            comment("c1", "Great post"),
            comment("c2", "Love it")));
    events.get(0).put("image_file", Path.of("src/test/resources/images/small.png").toString());
    events.add(event("confluent-1", "Старый продюсер пишет! #avro", comment("c1", "Класс")));
    events.add(event("confluent-2", "No comments here #quiet"));
    events.add(
        event(
            "confluent-1",
            null,
            comment("c1", "Класс"),
            comment("c2", "so so"),
            comment("c3", "fine")));
    Map<String, Integer> commentCounts = Map.of("confluent-0", 2, "confluent-1", 3);
    Map<String, String> cleanedTexts =
        Map.of(
            "confluent-0", "confluent says hello interop",
            "confluent-1", "старый продюсер пишет avro",
            "confluent-2", "no comments here quiet");
    Path eventsFile = Files.createTempFile("confluent-events", ".json");
    JSON.writeValue(eventsFile.toFile(), events);

    ClientTools.Result result =
        ClientTools.run(
            "confluent-client-it.log",
            "python",
            RESOURCES.resolve("confluent_roundtrip.py").toString(),
            "--bootstrap",
            stack.bootstrapServers(),
            "--registry",
            stack.registryUrl(),
            "--schema",
            OLDER_SCHEMA.toString(),
            "--events",
            eventsFile.toString(),
            "--timeout",
            "180");

    assertThat(result.exitCode()).as("the script failed:\n%s", result.logTail()).isZero();
    JsonNode output = JSON.readTree(result.stdout());
    assertThat(output.get("subject").asText()).isEqualTo("posts-value");
    List<String> writerFields = new ArrayList<>();
    output
        .get("writer_schema")
        .get("fields")
        .forEach(f -> writerFields.add(f.get("name").asText()));
    assertThat(writerFields).containsExactly("postId", "text", "image", "comments");

    Map<String, JsonNode> latest = new HashMap<>();
    for (JsonNode score : output.get("scores")) {
      latest.merge(
          score.get("postId").asText(),
          score,
          (a, b) -> a.get("postVersion").asLong() >= b.get("postVersion").asLong() ? a : b);
    }
    assertThat(latest)
        .as("scores read: %s", output.get("scores"))
        .containsOnlyKeys(cleanedTexts.keySet());
    for (Map.Entry<String, JsonNode> entry : latest.entrySet()) {
      JsonNode score = entry.getValue();
      String postId = entry.getKey();
      assertThat(score.get("cleanedText").asText()).as(postId).isEqualTo(cleanedTexts.get(postId));
      assertThat(score.get("commentCount").asInt())
          .as(postId)
          .isEqualTo(commentCounts.getOrDefault(postId, 0));
      assertThat(score.get("engagementScore").asDouble()).as(postId).isBetween(0.0, 1.0);
      assertThat(score.get("sentimentScore").asDouble()).as(postId).isBetween(0.0, 1.0);
      assertThat(score.get("modelVersion").asText()).as(postId).isEqualTo(MODEL_VERSION);
      assertThat(score.get("scoredAt").asLong()).as(postId).isPositive();
    }
  }

  private static Map<String, Object> event(String postId, String text, Object... comments) {
    Map<String, Object> event = new HashMap<>();
    event.put("postId", postId);
    event.put("text", text);
    event.put("image", null);
    event.put("comments", List.of(comments));
    return event;
  }

  private static Map<String, Object> comment(String id, String text) {
    return Map.of("commentId", id, "text", text);
  }
}
