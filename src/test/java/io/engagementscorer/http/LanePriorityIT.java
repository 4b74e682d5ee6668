package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.KnownFeatures;
import io.engagementscorer.scoring.Lane;
import io.engagementscorer.scoring.ScoringRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The batcher's lanes in the running service: while the re-scoring and candidate lanes are kept
 * full, every HTTP prediction is answered (none gets 503), in batches of HTTP requests only, and
 * the background lanes refuse what does not fit instead.
 */
class LanePriorityIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final int REQUESTS = 60;

  @Test
  void shouldAnswerEveryHttpRequestWhileTheBackgroundLanesAreFull() throws Exception {
    Map<String, String> env = PredictApiIT.testEnvironment();
    env.put("BATCH_MAX_SIZE", "8");
    env.put("BACKGROUND_QUEUE_CAPACITY", "16");
    env.put(
        "CANDIDATE_MODEL_DIR",
        BundleFixtures.tinyWithVersion(
                Files.createTempDirectory("lane-priority-it").resolve("tiny-2"), "tiny-2")
            .toString());
    Application application = Application.start(ServiceConfig.fromEnv(env));
    AtomicBoolean flooding = new AtomicBoolean(true);
    List<Thread> floods = new ArrayList<>();
    try {
      EngagementScorer scorer = application.scorer();
      AtomicInteger sequence = new AtomicInteger();
      floods.add(flood(flooding, () -> scorer.scoreWithCandidate(request(sequence))));
      floods.add(flood(flooding, () -> scorer.score(request(sequence), Lane.RESCORE)));
      floods.forEach(Thread::start);
      MeterRegistry registry = application.registry();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (rejected(registry, "candidate") == 0 || rejected(registry, "rescore") == 0) {
        assertThat(System.nanoTime()).as("the background lanes filled up").isLessThan(deadline);
        Thread.sleep(10);
      }

      URI predict = URI.create("http://127.0.0.1:" + application.port() + "/api/v1/predict");
      List<Integer> statuses = new ArrayList<>();
      List<Double> millis = new ArrayList<>();
      for (int index = 0; index < REQUESTS; index++) {
        long start = System.nanoTime();
        HttpResponse<String> response =
            CLIENT.send(
                HttpRequest.newBuilder(predict)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"raw_text\": \"request " + index + "\", \"comments\": [\"hi\"]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        millis.add((System.nanoTime() - start) / 1e6);
        statuses.add(response.statusCode());
      }

      assertThat(statuses).containsOnly(200);
      assertThat(rejected(registry, "http")).isZero();
      // Still full at the end: the requests went past a saturated background, not an idle one.
      assertThat(rejected(registry, "candidate")).isPositive();
      assertThat(
              registry.get("engagement.batcher.batch.size").tag("lane", "http").summary().count())
          .isPositive();
      // The HTTP lane's batches held exactly this test's requests (the self-check has a scorer of
      // its own), so no request waited in a background batch.
      assertThat(
              registry
                  .get("engagement.batcher.batch.size")
                  .tag("lane", "http")
                  .summary()
                  .totalAmount())
          .isEqualTo(REQUESTS);
      millis.sort(Double::compare);
      System.out.printf(
          "LanePriorityIT: %d HTTP requests with full background lanes, p50 %.1f ms, max %.1f ms%n",
          REQUESTS, millis.get(REQUESTS / 2), millis.get(REQUESTS - 1));
    } finally {
      flooding.set(false);
      for (Thread flood : floods) {
        flood.join(10_000);
      }
      application.close();
    }
  }

  private static ScoringRequest request(AtomicInteger sequence) {
    int index = sequence.incrementAndGet();
    return new ScoringRequest(
        "background post " + index, null, List.of("comment " + index), KnownFeatures.NONE);
  }

  private static double rejected(MeterRegistry registry, String lane) {
    return registry.get("engagement.batcher.rejected").tag("lane", lane).counter().count();
  }

  /** Submits background posts as fast as the lane takes them, until stopped. */
  private static Thread flood(AtomicBoolean running, Runnable submit) {
    Thread thread =
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  submit.run();
                } catch (ScoringUnavailableException e) {
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
              }
            },
            "background-flood");
    thread.setDaemon(true);
    return thread;
  }
}
