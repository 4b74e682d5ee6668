package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.ScoringUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher's lanes: order, separate bounds, lane-pure batches, and no wait on background. */
class BatcherLanesTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private MicroBatcher<Integer, Integer> batcher;

  @AfterEach
  void close() {
    release.countDown();
    if (batcher != null) {
      batcher.close();
    }
  }

  /** A batcher whose worker, on item 0, waits for {@link #release}: what queues meanwhile stays. */
  private void start(BatcherSettings settings) {
    batcher =
        new MicroBatcher<>(
            "lanes",
            settings,
            () ->
                batch -> {
                  if (batch.contains(0)) {
                    started.countDown();
                    await(release);
                  }
                  batches.add(List.copyOf(batch));
                  return batch;
                },
            registry);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static BatcherSettings settings(long delayMillis, int background) {
    return new BatcherSettings(
        4, Duration.ofMillis(delayMillis), 16, Duration.ofSeconds(60), 1, 16, background);
  }

  @Test
  void shouldServeLanesInOrderWithOneLanePerBatch() throws Exception {
    start(settings(0, 16));
    CompletableFuture<Integer> blocker = batcher.submit(Lane.HTTP, 0);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> all = new ArrayList<>();
    // Queued while the worker is busy, lowest lane first.
    for (int item = 1; item <= 3; item++) {
      all.add(batcher.submit(Lane.CANDIDATE, 300 + item));
      all.add(batcher.submit(Lane.RESCORE, 200 + item));
      all.add(batcher.submit(Lane.STREAM, 100 + item));
      all.add(batcher.submit(Lane.HTTP, item));
    }
    release.countDown();
    blocker.get(10, TimeUnit.SECONDS);
    for (CompletableFuture<Integer> result : all) {
      result.get(10, TimeUnit.SECONDS);
    }

    assertThat(batches)
        .containsExactly(
            List.of(0),
            List.of(1, 2, 3),
            List.of(101, 102, 103),
            List.of(201, 202, 203),
            List.of(301, 302, 303));
  }

  @Test
  void shouldRefuseOnlyInTheFullLane() throws Exception {
    start(settings(0, 4));
    batcher.submit(Lane.HTTP, 0);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    for (int item = 1; item <= 4; item++) {
      batcher.submit(Lane.CANDIDATE, 300 + item);
    }

    CompletableFuture<Integer> refused = batcher.submit(Lane.CANDIDATE, 399);
    CompletableFuture<Integer> http = batcher.submit(Lane.HTTP, 7);
    CompletableFuture<Integer> rescore = batcher.submit(Lane.RESCORE, 207);

    assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ScoringUnavailableException.class)
        .hasMessageContaining("candidate lane");
    release.countDown();
    assertThat(http.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    assertThat(rescore.get(10, TimeUnit.SECONDS)).isEqualTo(207);
    assertThat(
            registry.get("engagement.batcher.rejected").tag("lane", "candidate").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("engagement.batcher.rejected").tag("lane", "http").counter().count())
        .isZero();
    assertThat(
            registry
                .get("engagement.batcher.queue.capacity")
                .tag("lane", "candidate")
                .gauge()
                .value())
        .isEqualTo(4);
  }

  @Test
  void shouldNotMakeAnHttpRequestWaitForABackgroundBatchToForm() throws Exception {
    start(settings(2_000, 16));
    CompletableFuture<Integer> background = batcher.submit(Lane.CANDIDATE, 301);
    Thread.sleep(300); // the worker now waits for the candidate batch to fill

    CompletableFuture<Integer> http = batcher.submit(Lane.HTTP, 5);

    assertThat(http.get(10, TimeUnit.SECONDS)).isEqualTo(5);
    assertThat(background.get(10, TimeUnit.SECONDS)).isEqualTo(301);
    // The candidate's batch was put back, not run first with the request waiting behind it.
    assertThat(batches).containsExactly(List.of(5), List.of(301));
    assertThat(registry.get("engagement.batcher.batch.size").tag("lane", "http").summary().count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("engagement.batcher.batch.size")
                .tag("lane", "candidate")
                .summary()
                .count())
        .isEqualTo(1);
  }
}
