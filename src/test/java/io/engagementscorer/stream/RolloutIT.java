package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.BundleFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A model rollout on a real broker and schema registry: a candidate scores every post in the
 * shadow, its scores reach the candidate topic in the served score's transaction, the admin API
 * promotes it in the middle of a run, and no post is lost or scored twice.
 */
class RolloutIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "rollout-it-admin-token";
  private static final int BEFORE = 30;
  private static final int AFTER = 30;

  @Test
  void shouldShadowScoreThenPromoteMidRunLosingAndDuplicatingNothing() throws Exception {
    Path candidateDir =
        BundleFixtures.tinyWithVersion(
            Files.createTempDirectory("rollout-it").resolve("b"), "tiny-2");
    try (StreamStack stack = StreamStack.start(2)) {
      int port = freePort();
      Map<String, String> env = stack.serviceEnvironment(port);
      env.put("ADMIN_TOKEN", TOKEN);
      env.put("CANDIDATE_MODEL_DIR", candidateDir.toString());
      env.put("CANDIDATE_SAMPLE_RATE", "1");
      // Generous, so that on a loaded machine every candidate score still goes out.
      env.put("CANDIDATE_MAX_WAIT_MS", "60000");
      Application service = Application.start(ServiceConfig.fromEnv(env));
      try {
        JsonNode info = JSON.readTree(get(port, "/api/v1/model-info").body());
        assertThat(info.get("version").asText()).isEqualTo("tiny-1");
        assertThat(info.at("/candidate/version").asText()).isEqualTo("tiny-2");
        assertThat(info.at("/candidate/self_check/passed").asBoolean()).isTrue();

        for (int index = 0; index < BEFORE; index++) {
          send(stack, "before-" + index);
        }
        stack.scoresUntil(records -> records.size() >= BEFORE / 2);

        HttpResponse<String> promoted = admin(port, "/api/v1/admin/candidate/promote");
        assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
        assertThat(JSON.readTree(promoted.body()).get("outcome").asText()).isEqualTo("promoted");
        assertThat(JSON.readTree(promoted.body()).get("served_version").asText())
            .isEqualTo("tiny-2");
        for (int index = 0; index < AFTER; index++) {
          send(stack, "after-" + index);
        }

        stack.scoresUntil(records -> posts(records).size() >= BEFORE + AFTER);
        // Let anything that would be a duplicate arrive before counting.
        Thread.sleep(2_000);
        List<ConsumerRecord<String, EngagementScore>> scores =
            stack.readAll("engagement-scores", EngagementScore.class);

        Map<String, Long> perPost =
            scores.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(perPost)
            .hasSize(BEFORE + AFTER)
            .allSatisfy((post, count) -> assertThat(count).isOne());
        for (ConsumerRecord<String, EngagementScore> score : scores) {
          if (score.key().startsWith("after-")) {
            assertThat(score.value().getModelVersion()).as(score.key()).isEqualTo("tiny-2");
          }
        }
        Map<String, EngagementScore> byServedTiny1 = new HashMap<>();
        scores.stream()
            .filter(record -> record.value().getModelVersion().equals("tiny-1"))
            .forEach(record -> byServedTiny1.put(record.key(), record.value()));
        assertThat(byServedTiny1).isNotEmpty();

        List<ConsumerRecord<String, CandidateScore>> shadow =
            stack.readAll("engagement-scores-candidate", CandidateScore.class);
        Set<String> shadowed = new HashSet<>();
        for (ConsumerRecord<String, CandidateScore> record : shadow) {
          CandidateScore candidate = record.value();
          EngagementScore served = byServedTiny1.get(record.key());
          assertThat(served).as("a candidate score without a served tiny-1 score").isNotNull();
          assertThat(candidate.getModelVersion()).isEqualTo("tiny-2");
          assertThat(candidate.getServedModelVersion()).isEqualTo("tiny-1");
          assertThat(candidate.getPostVersion()).isEqualTo(served.getPostVersion());
          assertThat(candidate.getServedEngagementScore()).isEqualTo(served.getEngagementScore());
          assertThat(shadowed.add(record.key())).as("twice: " + record.key()).isTrue();
        }
        // Every post the old model served was scored in the shadow too: both or neither.
        assertThat(shadowed).isEqualTo(byServedTiny1.keySet());

        JsonNode after = JSON.readTree(get(port, "/api/v1/model-info").body());
        assertThat(after.get("version").asText()).isEqualTo("tiny-2");
        assertThat(after.at("/candidate/version").isNull()).isTrue();
        assertThat(after.at("/candidate/comparison/published").asLong())
            .isEqualTo(byServedTiny1.size());
        assertThat(get(port, "/metrics").body())
            .contains("engagement_candidate_rank_agreement{candidate_version=\"tiny-2\"")
            .contains("engagement_candidate_score_difference_count{candidate_version=\"tiny-2\"");
        HttpResponse<String> again = admin(port, "/api/v1/admin/candidate/promote");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("outcome").asText()).isEqualTo("no_candidate");
      } finally {
        service.close();
      }
    }
  }

  private static Set<String> posts(List<ConsumerRecord<String, EngagementScore>> records) {
    return records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
  }

  private static void send(StreamStack stack, String id) {
    stack.publish(event(id, "rollout post " + id, comment("c-" + id, "nice one")));
    stack.flush();
  }

  static HttpResponse<String> admin(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
