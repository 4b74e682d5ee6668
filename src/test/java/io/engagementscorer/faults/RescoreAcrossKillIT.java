package io.engagementscorer.faults;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.stream.StreamStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Re-scoring on a model change survives a crash: an instance restarted on a new model version
 * scores every stored post again at a bounded rate, is killed with SIGKILL in the middle of the
 * pass, and once restarted finishes it from its changelogged progress. On the read_committed output
 * every post has exactly one score by the new version.
 */
class RescoreAcrossKillIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int POSTS = 120;
  private static final Duration READY = Duration.ofSeconds(120);

  @Test
  void shouldScoreEveryStoredPostOnceWithTheNewVersionAcrossAKill() throws Exception {
    Path work = Files.createTempDirectory("rescore-kill-it");
    Path newModel = BundleFixtures.tinyWithVersion(work.resolve("tiny-2"), "tiny-2");
    try (StreamStack stack = StreamStack.start(2)) {
      int port = freePort();
      Map<String, String> env = stack.serviceEnvironment(port);
      env.putAll(FaultPlan.operatorsSettings());
      env.put("RESCORE_ON_MODEL_CHANGE", "true");
      env.put("RESCORE_MAX_POSTS_PER_SECOND", "15");

      try (ServiceProcess old = new ServiceProcess("old", port, env, work.resolve("old.log"))) {
        old.start();
        old.awaitReady(READY);
        for (int index = 0; index < POSTS; index++) {
          String id = "post-" + index;
          PostEvent post = event(id, "stored post " + index, comment("c" + index, "nice"));
          stack.publish(post);
        }
        stack.flush();
        stack.scoresUntil(records -> records.size() >= POSTS);
      }

      // Restarted on a new version: the pass begins; kill it part of the way through.
      env.put("MODEL_DIR", newModel.toString());
      Path log = work.resolve("new.log");
      try (ServiceProcess restarted = new ServiceProcess("new", port, env, log)) {
        restarted.start();
        restarted.awaitReady(READY);
        stack.scoresUntil(records -> newVersionScores(records) >= POSTS / 4);
        restarted.kill();
        long before = newVersionScores(allScores(stack));
        assertThat(before).as("killed in the middle of the pass").isBetween(1L, POSTS - 1L);

        restarted.start();
        restarted.awaitReady(READY);
        stack.scoresUntil(records -> newVersionScores(records) >= POSTS);
        awaitPassFinished(restarted);
        // Anything that would be a second score of a post has had time to arrive.
        Thread.sleep(3_000);

        List<ConsumerRecord<String, EngagementScore>> scores = allScores(stack);
        Map<String, Long> newPerPost =
            scores.stream()
                .filter(record -> record.value().getModelVersion().equals("tiny-2"))
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(newPerPost)
            .hasSize(POSTS)
            .allSatisfy((post, count) -> assertThat(count).as(post).isOne());
        assertThat(scores.stream().filter(r -> r.value().getModelVersion().equals("tiny-1")))
            .hasSize(POSTS);
        assertThat(restarted.logLinesContaining("every stored post is scored by model tiny-2"))
            .isPositive();
      }
    }
  }

  private static long newVersionScores(List<ConsumerRecord<String, EngagementScore>> records) {
    return records.stream().filter(r -> r.value().getModelVersion().equals("tiny-2")).count();
  }

  private static List<ConsumerRecord<String, EngagementScore>> allScores(StreamStack stack) {
    return stack.readAll("engagement-scores", EngagementScore.class);
  }

  private static void awaitPassFinished(ServiceProcess instance) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      JsonNode rescoring =
          JSON.readTree(instance.get("/api/v1/model-info").body()).get("rescoring");
      if (rescoring.get("running").asInt() == 0
          && rescoring.get("done").asLong() == POSTS
          && rescoring.get("total").asLong() == POSTS) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the re-scoring pass did not finish; see " + instance.log());
  }
}
