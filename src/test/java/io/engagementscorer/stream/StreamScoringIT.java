package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static io.engagementscorer.stream.StreamTestKit.closeAll;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static io.engagementscorer.stream.StreamTestKit.readUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream end to end: a real KRaft broker in this JVM, the real Apicurio registry (Confluent
 * API), and the whole service with the tiny model, exactly-once.
 */
class StreamScoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static StreamStack stack;
  private static Application application;
  private static int port;

  @BeforeAll
  static void startStack() throws Exception {
    stack = StreamStack.start(4);
    port = freePort();
    Map<String, String> env = stack.serviceEnvironment(port);
    env.put("MAX_COMMENTS", "50");
    application = Application.start(ServiceConfig.fromEnv(env));
  }

  @AfterAll
  static void stopStack() throws Exception {
    closeAll(application, stack);
  }

  @Test
  void shouldScoreAThousandPostsWithTheirNewestStateAndNoDuplicateScore() {
    int posts = 1000;
    Map<String, Long> finalVersion = new HashMap<>();
    for (int post = 0; post < posts; post++) {
      String id = "bulk-" + post;
      stack.publish(event(id, "Post " + post + " #bulk", comment(id + "-c0", "first!")));
      finalVersion.put(id, 1L);
    }
    for (int post = 0; post < posts; post++) {
      String id = "bulk-" + post;
      stack.publish(event(id, null, comment(id + "-c1", "love it"), comment(id + "-c2", "meh")));
      finalVersion.put(id, 2L);
    }
    for (int post = 0; post < posts; post += 3) {
      String id = "bulk-" + post;
      stack.publish(event(id, "Post " + post + " edited #bulk"));
      finalVersion.put(id, 3L);
    }
    stack.flush();

    List<ConsumerRecord<String, EngagementScore>> scores =
        stack.scoresUntil(
            records -> {
              Map<String, Long> newest = newestVersions(records);
              return finalVersion.entrySet().stream()
                  .allMatch(entry -> entry.getValue().equals(newest.get(entry.getKey())));
            });

    Map<String, EngagementScore> latest = new HashMap<>();
    Set<String> scoredStates = new HashSet<>();
    for (ConsumerRecord<String, EngagementScore> record : scores) {
      EngagementScore score = record.value();
      if (!score.getPostId().startsWith("bulk-")) {
        continue;
      }
      assertThat(scoredStates.add(score.getPostId() + "@" + score.getPostVersion()))
          .as("duplicate score for %s version %d", score.getPostId(), score.getPostVersion())
          .isTrue();
      latest.merge(
          score.getPostId(), score, (a, b) -> a.getPostVersion() >= b.getPostVersion() ? a : b);
    }
    assertThat(latest).hasSize(posts);
    for (int post = 0; post < posts; post++) {
      EngagementScore score = latest.get("bulk-" + post);
      assertThat(score.getPostVersion()).isEqualTo(finalVersion.get("bulk-" + post));
      assertThat(score.getCommentCount()).isEqualTo(3);
      assertThat(score.getCleanedText())
          .isEqualTo(post % 3 == 0 ? "post " + post + " edited bulk" : "post " + post + " bulk");
    }
  }

  private static Map<String, Long> newestVersions(
      List<ConsumerRecord<String, EngagementScore>> records) {
    Map<String, Long> newest = new HashMap<>();
    for (ConsumerRecord<String, EngagementScore> record : records) {
      newest.merge(record.key(), record.value().getPostVersion(), Math::max);
    }
    return newest;
  }

  @Test
  void shouldDeadLetterPoisonRecordsWhileGoodRecordsKeepFlowing() {
    for (int index = 0; index < 5; index++) {
      stack.publish("poison-" + index, ("garbage " + index).getBytes(StandardCharsets.UTF_8));
      stack.publish(event("healthy-" + index, "healthy post " + index));
    }
    stack.publish("poison-key", stack.serialize(event("healthy-x", "wrong key")));
    stack.flush();

    List<ConsumerRecord<String, byte[]>> deadLetters =
        readUntil(
            stack.bootstrapServers(),
            "posts-dlq",
            new ByteArrayDeserializer(),
            records -> records.stream().filter(r -> r.key().startsWith("poison-")).count() >= 6);
    List<ConsumerRecord<String, EngagementScore>> scores =
        stack.scoresUntil(
            records -> records.stream().filter(r -> r.key().startsWith("healthy-")).count() >= 5);

    List<ConsumerRecord<String, byte[]>> poison =
        deadLetters.stream().filter(r -> r.key().startsWith("poison-")).toList();
    assertThat(poison).hasSize(6);
    for (ConsumerRecord<String, byte[]> dead : poison) {
      assertThat(header(dead, DeadLetters.STAGE)).isEqualTo("decode");
      assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo("posts");
      assertThat(Long.parseLong(header(dead, DeadLetters.SOURCE_OFFSET))).isNotNegative();
      assertThat(header(dead, DeadLetters.EXCEPTION_CLASS)).isNotBlank();
      assertThat(header(dead, DeadLetters.REASON)).isNotBlank();
    }
    assertThat(scores.stream().map(ConsumerRecord::key).filter(k -> k.startsWith("healthy-")))
        .containsExactlyInAnyOrder("healthy-0", "healthy-1", "healthy-2", "healthy-3", "healthy-4");
    assertThat(application.registry().scrape())
        .contains("engagement_stream_dead_letters_total{stage=\"decode\"}");
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldConsumeARecordWrittenByHandInTheConfluentWireFormat() throws IOException {
    int id = stack.schemas().register("posts-value", PostEvent.getClassSchema());
    GenericRecord post = new GenericData.Record(PostEvent.getClassSchema());
    post.put("postId", "by-hand");
    post.put("text", "Written by hand #wire");
    post.put("image", null);
    post.put("comments", List.of());
    post.put("eventTime", null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(0);
    bytes.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(PostEvent.getClassSchema()).write(post, encoder);
    encoder.flush();

    stack.publish("by-hand", bytes.toByteArray());
    stack.flush();

    List<ConsumerRecord<String, EngagementScore>> scores =
        stack.scoresUntil(records -> records.stream().anyMatch(r -> r.key().equals("by-hand")));
    EngagementScore score =
        scores.stream().filter(r -> r.key().equals("by-hand")).findFirst().orElseThrow().value();
    assertThat(score.getCleanedText()).isEqualTo("written by hand wire");
  }

  @Test
  void shouldAnswerTheLatestScoreByInteractiveQueryAndReportRunningStreams() throws Exception {
    stack.publish(event("queried", "Ask me later", comment("q1", "ok")));
    stack.flush();
    stack.scoresUntil(records -> records.stream().anyMatch(r -> r.key().equals("queried")));

    HttpResponse<String> score = get(port, "/api/v1/scores/queried");
    HttpResponse<String> missing = get(port, "/api/v1/scores/never-seen");
    JsonNode health = JSON.readTree(get(port, "/api/v1/health").body());

    assertThat(score.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(score.body());
    assertThat(body.get("post_id").asText()).isEqualTo("queried");
    assertThat(body.get("cleaned_text").asText()).isEqualTo("ask me later");
    assertThat(body.get("comment_count").asInt()).isEqualTo(1);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(health.get("streams_state").asText()).isEqualTo("RUNNING");
    assertThat(health.get("status").asText()).isEqualTo("healthy");
    assertThat(application.registry().scrape()).contains("kafka_stream_");
  }
}
