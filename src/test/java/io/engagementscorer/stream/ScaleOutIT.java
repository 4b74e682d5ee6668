package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static io.engagementscorer.stream.StreamTestKit.closeAll;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.config.ServiceConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances with one application id share the input partitions; one, a separate process, is
 * killed with SIGKILL mid-run. Exactly-once: every post still gets a score for its newest state,
 * and no post state is scored twice in what read_committed consumers see.
 */
class ScaleOutIT {
  private static final int POSTS = 300;
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamStack stack;
  private Application survivor;
  private Process victim;

  @AfterEach
  void stopEverything() throws Exception {
    if (victim != null) {
      victim.destroyForcibly();
    }
    closeAll(survivor, stack);
  }

  private Map<String, String> instanceEnvironment(int port) throws IOException {
    Map<String, String> env = stack.serviceEnvironment(port);
    env.put("APPLICATION_ID", "scale-out-it");
    // A dead member must leave the group, and its open transaction be aborted, within seconds.
    env.put("SCORING_TIMEOUT_MS", "4000");
    env.put("TRANSACTION_TIMEOUT_MS", "10000");
    env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
    return env;
  }

  private Process startChildInstance(Map<String, String> env) throws IOException {
    Path log = Path.of("target", "scale-out-child.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "io.engagementscorer.Main")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  @Test
  void shouldScoreEveryPostOnceWhenAnInstanceIsKilledMidRun() throws Exception {
    stack = StreamStack.start(4);
    int survivorPort = freePort();
    int victimPort = freePort();
    survivor = Application.start(ServiceConfig.fromEnv(instanceEnvironment(survivorPort)));
    victim = startChildInstance(instanceEnvironment(victimPort));
    awaitHealthy(victimPort);
    awaitHealthy(survivorPort);

    for (int post = 0; post < POSTS; post++) {
      stack.publish(event("post-" + post, "first version of " + post));
    }
    stack.flush();
    List<ConsumerRecord<String, EngagementScore>> firstRound =
        stack.scoresUntil(
            records ->
                records.size() >= POSTS / 3
                    && records.stream().map(ConsumerRecord::partition).distinct().count() == 4);
    assertThat(firstRound).as("scores before the kill").hasSizeGreaterThanOrEqualTo(POSTS / 3);
    assertThat(servingInstances(survivorPort, firstRound))
        .as("both instances own partitions")
        .containsExactlyInAnyOrder("127.0.0.1:" + survivorPort, "127.0.0.1:" + victimPort);

    victim.destroyForcibly().waitFor();

    for (int post = 0; post < POSTS; post++) {
      stack.publish(event("post-" + post, null, comment("c-" + post, "second version")));
    }
    stack.flush();

    List<ConsumerRecord<String, EngagementScore>> scores =
        stack.scoresUntil(
            records ->
                records.stream()
                        .filter(record -> record.value().getPostVersion() == 2)
                        .map(ConsumerRecord::key)
                        .distinct()
                        .count()
                    == POSTS);
    Set<String> scoredStates = new HashSet<>();
    Set<String> finalStates = new HashSet<>();
    for (ConsumerRecord<String, EngagementScore> record : scores) {
      String state = record.key() + "@" + record.value().getPostVersion();
      assertThat(scoredStates.add(state)).as("%s scored twice", state).isTrue();
      if (record.value().getPostVersion() == 2) {
        assertThat(record.value().getCommentCount()).isEqualTo(1);
        finalStates.add(record.key());
      }
    }
    assertThat(finalStates).hasSize(POSTS);
  }

  /**
   * Whether scores are served from both instances' stores, asked until the group has settled: the
   * second instance joined while the first was already scoring, so a rebalance may be under way.
   */
  private Set<String> servingInstances(
      int port, List<ConsumerRecord<String, EngagementScore>> scored) throws Exception {
    Set<String> answers = new HashSet<>();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      answers.clear();
      for (ConsumerRecord<String, EngagementScore> record : onePerPartition(scored)) {
        HttpResponse<String> response = get(port, "/api/v1/scores/" + record.key());
        answers.add(
            response.statusCode() == 200
                ? JSON.readTree(response.body()).get("served_by").asText()
                : "HTTP " + response.statusCode() + " " + response.body());
      }
      if (answers.stream().filter(answer -> !answer.startsWith("HTTP")).count() == 2) {
        break;
      }
      Thread.sleep(500);
    }
    return answers;
  }

  // A first poll may return records of one partition only: ask about a post of every partition.
  private static List<ConsumerRecord<String, EngagementScore>> onePerPartition(
      List<ConsumerRecord<String, EngagementScore>> scored) {
    Map<Integer, ConsumerRecord<String, EngagementScore>> byPartition = new HashMap<>();
    for (ConsumerRecord<String, EngagementScore> record : scored) {
      byPartition.putIfAbsent(record.partition(), record);
    }
    return List.copyOf(byPartition.values());
  }

  private void awaitHealthy(int port) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < end) {
      if (victim != null && !victim.isAlive()) {
        throw new IllegalStateException(
            "the child instance exited; see target/scale-out-child.log");
      }
      try {
        HttpResponse<String> health = get(port, "/api/v1/health");
        if (health.statusCode() == 200
            && "RUNNING".equals(JSON.readTree(health.body()).get("streams_state").asText())) {
          return;
        }
      } catch (IOException notYetListening) {
        // The instance is still starting.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("instance on port " + port + " did not become healthy");
  }
}
