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
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private MicroBatcher<Integer, Integer> batcher;

  @AfterEach
  void closeBatcher() {
    if (batcher != null) {
      batcher.close();
    }
  }

  private MicroBatcher<Integer, Integer> start(
      BatcherSettings settings, Function<List<Integer>, List<Integer>> process) {
    batcher =
        new MicroBatcher<>(
            "test",
            settings,
            () ->
                batch -> {
                  batchSizes.add(batch.size());
                  return process.apply(batch);
                },
            registry);
    return batcher;
  }

  private static BatcherSettings settings(
      int maxBatch, long delayMillis, int capacity, long timeoutMillis) {
    return new BatcherSettings(
        maxBatch, Duration.ofMillis(delayMillis), capacity, Duration.ofMillis(timeoutMillis), 1);
  }

  private static List<Integer> doubled(List<Integer> batch) {
    return batch.stream().map(item -> item * 2).toList();
  }

  @Test
  void shouldGroupConcurrentItemsIntoBatchesAndAnswerEachItsOwnResult() throws Exception {
    start(settings(16, 50, 256, 10_000), MicroBatcherTest::doubled);
    List<CompletableFuture<Integer>> results = new ArrayList<>();

    for (int item = 0; item < 64; item++) {
      results.add(batcher.submit(Lane.HTTP, item));
    }

    for (int item = 0; item < 64; item++) {
      assertThat(results.get(item).get(10, TimeUnit.SECONDS)).isEqualTo(item * 2);
    }
    assertThat(batchSizes).allMatch(size -> size <= 16);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
    assertThat(registry.get("engagement.batcher.batch.size").tag("lane", "http").summary().count())
        .isEqualTo(batchSizes.size());
  }

  @Test
  void shouldRefuseAtOnceWhenTheQueueIsFullAndRecoverAfterwards() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    start(
        settings(1, 0, 2, 10_000),
        batch -> {
          started.countDown();
          awaitQuietly(release);
          return doubled(batch);
        });
    CompletableFuture<Integer> running = batcher.submit(Lane.HTTP, 1);
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> queuedA = batcher.submit(Lane.HTTP, 2);
    CompletableFuture<Integer> queuedB = batcher.submit(Lane.HTTP, 3);

    CompletableFuture<Integer> refused = batcher.submit(Lane.HTTP, 4);

    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::get).hasCauseInstanceOf(ScoringUnavailableException.class);
    release.countDown();
    assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(queuedA.get(5, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(queuedB.get(5, TimeUnit.SECONDS)).isEqualTo(6);
    assertThat(batcher.submit(Lane.HTTP, 5).get(5, TimeUnit.SECONDS)).isEqualTo(10);
    assertThat(registry.get("engagement.batcher.rejected").tag("lane", "http").counter().count())
        .isEqualTo(1);
  }

  @Test
  void shouldFailOnlyTheItemThatBreaksItsBatch() throws Exception {
    start(
        settings(8, 100, 64, 10_000),
        batch -> {
          if (batch.contains(13)) {
            throw new IllegalArgumentException("13 is unlucky");
          }
          return doubled(batch);
        });

    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int item = 10; item < 16; item++) {
      results.add(batcher.submit(Lane.HTTP, item));
    }

    for (int index = 0; index < results.size(); index++) {
      int item = 10 + index;
      if (item == 13) {
        assertThatThrownBy(() -> results.get(3).get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasRootCauseMessage("13 is unlucky");
      } else {
        assertThat(results.get(index).get(5, TimeUnit.SECONDS)).isEqualTo(item * 2);
      }
    }
  }

  @Test
  void shouldKeepServingAfterAFailedBatch() throws Exception {
    start(
        settings(4, 0, 16, 10_000),
        batch -> {
          if (batch.get(0) < 0) {
            throw new IllegalStateException("engine failure");
          }
          return doubled(batch);
        });

    assertThatThrownBy(() -> batcher.submit(Lane.HTTP, -1).get(5, TimeUnit.SECONDS))
        .hasRootCauseMessage("engine failure");
    assertThat(batcher.submit(Lane.HTTP, 21).get(5, TimeUnit.SECONDS)).isEqualTo(42);
  }

  @Test
  void shouldFailAnItemThatWaitsPastTheTimeoutInsteadOfWaitingForever() {
    CountDownLatch never = new CountDownLatch(1);
    start(
        settings(1, 0, 4, 200),
        batch -> {
          awaitQuietly(never);
          return doubled(batch);
        });

    CompletableFuture<Integer> result = batcher.submit(Lane.HTTP, 1);

    assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    never.countDown();
  }

  @Test
  void shouldFinishQueuedWorkOnCloseAndRefuseNewWork() throws Exception {
    start(settings(4, 20, 64, 10_000), MicroBatcherTest::doubled);
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int item = 0; item < 10; item++) {
      results.add(batcher.submit(Lane.HTTP, item));
    }

    batcher.close();

    for (int item = 0; item < 10; item++) {
      assertThat(results.get(item).get(1, TimeUnit.SECONDS)).isEqualTo(item * 2);
    }
    assertThatThrownBy(() -> batcher.submit(Lane.HTTP, 99).get(1, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ScoringUnavailableException.class);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void shouldReleaseEveryItemExactlyOnceWhateverHappensToIt() throws Exception {
    List<Integer> released = new CopyOnWriteArrayList<>();
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    batcher =
        new MicroBatcher<>(
            "test",
            settings(1, 0, 2, 200),
            () ->
                batch -> {
                  busy.countDown();
                  await(unblock);
                  return doubled(batch);
                },
            released::add,
            registry);

    CompletableFuture<Integer> running = batcher.submit(Lane.HTTP, 1);
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> timesOut = batcher.submit(Lane.HTTP, 2);
    batcher.submit(Lane.HTTP, 3);
    CompletableFuture<Integer> refused = batcher.submit(Lane.HTTP, 4);
    assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutException.class);
    unblock.countDown();
    batcher.close();
    CompletableFuture<Integer> afterClose = batcher.submit(Lane.HTTP, 5);

    assertThat(running).isDone();
    assertThat(refused).isCompletedExceptionally();
    assertThat(afterClose).isCompletedExceptionally();
    assertThat(released).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
