package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.model.BundleFixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing the served model while posts are being scored, with the real tiny model. */
class ModelSwapTest {
  private static final BatcherSettings BATCHING =
      new BatcherSettings(8, Duration.ofMillis(2), 1_000, Duration.ofSeconds(30), 2);
  private static final PostContent POST =
      new PostContent("Sunset at the beach #nature", null, List.of("love it", "meh"));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  @TempDir Path dir;

  @Test
  void shouldSwapModelsUnderLoadWithoutAFailedScore() throws Exception {
    ServedModel first = ServedModels.load(BundleFixtures.TINY, registry);
    ServedModel second =
        ServedModels.load(BundleFixtures.tinyWithVersion(dir.resolve("v2"), "tiny-2"), registry);
    Set<String> versions = ConcurrentHashMap.newKeySet();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch someScored = new CountDownLatch(50);
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (EngagementScorer scorer = EngagementScorer.start(first, BATCHING, 64, registry)) {
      for (int client = 0; client < 4; client++) {
        clients.execute(
            () -> {
              while (running.get()) {
                try {
                  versions.add(scorer.score(POST).get(30, TimeUnit.SECONDS).score().modelVersion());
                  someScored.countDown();
                } catch (Exception e) {
                  failures.add(e);
                }
              }
            });
      }
      assertThat(someScored.await(60, TimeUnit.SECONDS)).isTrue();
      scorer.replace(second);
      long scoredBefore = 50 - someScored.getCount();
      waitUntil(() -> versions.contains("tiny-2") || !failures.isEmpty());
      assertThat(failures).isEmpty();
      // The replaced model drains and closes: no lease can be taken on it any more.
      waitUntil(first::closed);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).isEmpty();
      assertThat(scoredBefore).isEqualTo(50);
      assertThat(versions).containsExactlyInAnyOrder("tiny-1", "tiny-2");
      assertThat(scorer.current()).isSameAs(second);
      assertThat(scorer.score(POST).get(30, TimeUnit.SECONDS).score().modelVersion())
          .isEqualTo("tiny-2");
    } finally {
      clients.shutdownNow();
    }
    assertThat(second.closed()).as("closing the scorer closes the current model").isTrue();
  }

  @Test
  void shouldRefuseToServeAModelThatFailedItsSelfCheck() {
    Path broken = BundleFixtures.tinyWithVersion(dir.resolve("broken"), "tiny-broken");
    var cases = BundleFixtures.readJson(broken.resolve("reference/cases.json"));
    var expected =
        (com.fasterxml.jackson.databind.node.ObjectNode) cases.get("cases").get(0).get("expected");
    expected.put("engagement_score", expected.get("engagement_score").asDouble() + 0.5);
    BundleFixtures.writeJson(broken.resolve("reference/cases.json"), cases);
    BundleFixtures.rehash(broken, "reference/cases.json");
    ServedModel failing = ServedModels.load(broken, registry);

    try (EngagementScorer scorer =
        EngagementScorer.start(
            ServedModels.load(BundleFixtures.TINY, registry), BATCHING, 64, registry)) {
      assertThat(failing.ready()).isFalse();
      assertThatThrownBy(() -> scorer.replace(failing))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tiny-broken");
      assertThat(scorer.current().version()).isEqualTo("tiny-1");
    } finally {
      failing.retire();
    }
  }

  @Test
  void shouldRefuseScoresOnceClosed() {
    EngagementScorer scorer =
        EngagementScorer.start(
            ServedModels.load(BundleFixtures.TINY, registry), BATCHING, 64, registry);
    scorer.close();

    assertThatThrownBy(() -> scorer.score(POST)).isInstanceOf(ScoringUnavailableException.class);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
