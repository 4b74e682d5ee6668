package io.engagementscorer.scoring;

import io.engagementscorer.errors.ScoringUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups single items into batches for a {@link BatchProcessor}, serving {@link Lane lanes} in
 * order. Each item is a job with its own future on its lane's bounded queue. A worker takes the
 * first lane that has work, then what that lane already holds, then waits until the batch is full
 * or its first job has waited {@code maxDelay}; a batch holds one lane's jobs only. While a worker
 * waits for a lower lane's batch to fill, work arriving in a higher lane puts that batch back, so
 * the higher lane is served next: an HTTP request waits at most for the batches already running
 * (one per worker), never for background work to form a batch. A full lane refuses at once with
 * {@link ScoringUnavailableException}, and only that lane; every future completes within the
 * timeout. A failing batch is retried item by item, so a bad item fails only itself, and the worker
 * goes on.
 *
 * @param <I> item type
 * @param <O> result type
 */
public final class MicroBatcher<I, O> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
  private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * Turns a batch into one result per item, in order. Each worker thread owns one processor, so
   * processors need not be thread-safe.
   */
  public interface BatchProcessor<I, O> extends AutoCloseable {
    /** One result per item of {@code batch}, in the same order. */
    List<O> process(List<I> batch);

    /** Called on the worker thread between batches, at least every 100 ms while idle. */
    default void maintain() {}

    @Override
    default void close() {}
  }

  private record Job<I, O>(I item, CompletableFuture<O> result, long enqueuedNanos) {}

  /** One lane's queue and meters. */
  private static final class LaneQueue<I, O> {
    final int capacity;
    final ArrayDeque<Job<I, O>> jobs = new ArrayDeque<>();
    final DistributionSummary batchSizes;
    final Timer queueTime;
    final Counter rejected;

    LaneQueue(Lane lane, int capacity, String name, MeterRegistry registry) {
      this.capacity = capacity;
      Tags tags = Tags.of("batcher", name, "lane", lane.label());
      this.batchSizes =
          DistributionSummary.builder("engagement.batcher.batch.size")
              .tags(tags)
              .description("Items per batch")
              .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
              .register(registry);
      this.queueTime =
          Timer.builder("engagement.batcher.queue.time")
              .tags(tags)
              .description("Time from submission to the start of the item's batch")
              .publishPercentileHistogram()
              .register(registry);
      this.rejected =
          Counter.builder("engagement.batcher.rejected")
              .tags(tags)
              .description("Items refused because their lane was full or the batcher closed")
              .register(registry);
    }
  }

  private final String name;
  private final BatcherSettings settings;
  private final Consumer<? super I> released;
  // In lane order: iterating serves the highest lane first.
  private final EnumMap<Lane, LaneQueue<I, O>> lanes = new EnumMap<>(Lane.class);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

  /**
   * Starts {@code settings.workers()} worker threads, each with a processor from {@code
   * processors}, created on that thread.
   */
  public MicroBatcher(
      String name,
      BatcherSettings settings,
      Supplier<? extends BatchProcessor<I, O>> processors,
      MeterRegistry registry) {
    this(name, settings, processors, item -> {}, registry);
  }

  /**
   * Like {@link #MicroBatcher(String, BatcherSettings, Supplier, MeterRegistry)}, and calls {@code
   * released} exactly once for every submitted item, when the batcher no longer holds it: after its
   * batch ran, or when it was refused, skipped (its caller gave up) or failed at shutdown.
   */
  public MicroBatcher(
      String name,
      BatcherSettings settings,
      Supplier<? extends BatchProcessor<I, O>> processors,
      Consumer<? super I> released,
      MeterRegistry registry) {
    this.name = name;
    this.settings = settings;
    this.released = released;
    for (Lane lane : Lane.values()) {
      LaneQueue<I, O> queue = new LaneQueue<>(lane, settings.capacity(lane), name, registry);
      lanes.put(lane, queue);
      Tags tags = Tags.of("batcher", name, "lane", lane.label());
      Gauge.builder("engagement.batcher.queue.depth", this, batcher -> batcher.depth(lane))
          .tags(tags)
          .description("Items waiting for a batch")
          .register(registry);
      Gauge.builder("engagement.batcher.queue.capacity", queue, held -> held.capacity)
          .tags(tags)
          .description("Items that may wait before new ones are refused")
          .register(registry);
    }
    for (int index = 0; index < settings.workers(); index++) {
      Thread worker = new Thread(() -> runWorker(processors), name + "-worker-" + index);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  /**
   * Queues {@code item} in {@code lane}. The future fails with {@link ScoringUnavailableException}
   * at once when the lane is full or the batcher is closed, and with a {@link
   * java.util.concurrent.TimeoutException} when no result came within the timeout.
   */
  public CompletableFuture<O> submit(Lane lane, I item) {
    CompletableFuture<O> result = new CompletableFuture<>();
    LaneQueue<I, O> queue = lanes.get(lane);
    String refusal = null;
    lock.lock();
    try {
      if (closed) {
        refusal = name + " is shutting down";
      } else if (queue.jobs.size() >= queue.capacity) {
        refusal =
            name
                + " queue is full ("
                + queue.capacity
                + " items waiting in the "
                + lane.label()
                + " lane)";
      } else {
        queue.jobs.addLast(new Job<>(item, result, System.nanoTime()));
        arrived.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (refusal != null) {
      queue.rejected.increment();
      released.accept(item);
      result.completeExceptionally(new ScoringUnavailableException(refusal));
      return result;
    }
    return result.orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Items waiting for a batch now, in every lane. */
  public int queueDepth() {
    lock.lock();
    try {
      int depth = 0;
      for (LaneQueue<I, O> queue : lanes.values()) {
        depth += queue.jobs.size();
      }
      return depth;
    } finally {
      lock.unlock();
    }
  }

  /** Items waiting for a batch now in {@code lane}. */
  public int depth(Lane lane) {
    lock.lock();
    try {
      return lanes.get(lane).jobs.size();
    } finally {
      lock.unlock();
    }
  }

  private void runWorker(Supplier<? extends BatchProcessor<I, O>> processors) {
    try (BatchProcessor<I, O> processor = processors.get()) {
      while (!closed || queueDepth() > 0) {
        Batch<I, O> batch = nextBatch();
        try {
          if (batch != null && !batch.jobs().isEmpty()) {
            run(processor, batch);
          }
        } finally {
          if (batch != null) {
            batch.jobs().forEach(this::release);
          }
        }
        processor.maintain();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("{} worker {} stopped", name, Thread.currentThread().getName(), e);
    } finally {
      failWaiting();
    }
  }

  /** A batch of one lane's jobs. */
  private record Batch<I, O>(LaneQueue<I, O> lane, List<Job<I, O>> jobs) {}

  /** The first lane with work, or null. */
  private LaneQueue<I, O> firstBusyLane() {
    for (LaneQueue<I, O> queue : lanes.values()) {
      if (!queue.jobs.isEmpty()) {
        return queue;
      }
    }
    return null;
  }

  private boolean higherLaneBusy(LaneQueue<I, O> than) {
    for (LaneQueue<I, O> queue : lanes.values()) {
      if (queue == than) {
        return false;
      }
      if (!queue.jobs.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The next batch, or null when nothing came within the idle poll. */
  private Batch<I, O> nextBatch() throws InterruptedException {
    List<Job<I, O>> batch = new ArrayList<>(settings.maxBatchSize());
    LaneQueue<I, O> lane;
    lock.lock();
    try {
      long idleUntil = System.nanoTime() + IDLE_POLL_NANOS;
      while ((lane = firstBusyLane()) == null) {
        long idle = idleUntil - System.nanoTime();
        if (idle <= 0 || closed) {
          return null;
        }
        arrived.awaitNanos(idle);
      }
      while (true) {
        Job<I, O> first = lane.jobs.pollFirst();
        batch.add(first);
        long deadline = first.enqueuedNanos() + settings.maxDelay().toNanos();
        boolean preempted = false;
        while (batch.size() < settings.maxBatchSize()) {
          if (higherLaneBusy(lane)) {
            preempted = true;
            break;
          }
          Job<I, O> next = lane.jobs.pollFirst();
          if (next != null) {
            batch.add(next);
            continue;
          }
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0 || closed) {
            break;
          }
          arrived.awaitNanos(remaining);
        }
        if (!preempted) {
          break;
        }
        // Work came in a higher lane while this batch formed: put it back, in order, and serve
        // that lane first.
        for (int index = batch.size() - 1; index >= 0; index--) {
          lane.jobs.addFirst(batch.get(index));
        }
        batch.clear();
        lane = firstBusyLane();
      }
    } finally {
      lock.unlock();
    }
    // Callers that timed out or cancelled no longer want a result: do not spend inference on them.
    batch.removeIf(
        job -> {
          boolean abandoned = job.result().isDone();
          if (abandoned) {
            release(job);
          }
          return abandoned;
        });
    return new Batch<>(lane, batch);
  }

  private void run(BatchProcessor<I, O> processor, Batch<I, O> batch) {
    long start = System.nanoTime();
    batch.lane().batchSizes.record(batch.jobs().size());
    for (Job<I, O> job : batch.jobs()) {
      batch.lane().queueTime.record(start - job.enqueuedNanos(), TimeUnit.NANOSECONDS);
    }
    run(processor, batch.jobs());
  }

  private void run(BatchProcessor<I, O> processor, List<Job<I, O>> batch) {
    try {
      complete(batch, processor.process(items(batch)));
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).result().completeExceptionally(e);
      } else {
        LOG.warn("{} batch of {} failed; retrying its items one by one", name, batch.size(), e);
        for (Job<I, O> job : batch) {
          run(processor, List.of(job));
        }
      }
    } finally {
      for (Job<I, O> job : batch) {
        job.result()
            .completeExceptionally(new IllegalStateException("batch ended without a result"));
      }
    }
  }

  private void complete(List<Job<I, O>> batch, List<O> results) {
    if (results.size() != batch.size()) {
      throw new IllegalStateException(
          "processor returned " + results.size() + " results for " + batch.size() + " items");
    }
    for (int index = 0; index < batch.size(); index++) {
      batch.get(index).result().complete(results.get(index));
    }
  }

  private List<I> items(List<Job<I, O>> batch) {
    List<I> items = new ArrayList<>(batch.size());
    for (Job<I, O> job : batch) {
      items.add(job.item());
    }
    return items;
  }

  private void failWaiting() {
    List<Job<I, O>> waiting = new ArrayList<>();
    lock.lock();
    try {
      for (LaneQueue<I, O> queue : lanes.values()) {
        waiting.addAll(queue.jobs);
        queue.jobs.clear();
      }
    } finally {
      lock.unlock();
    }
    for (Job<I, O> job : waiting) {
      job.result().completeExceptionally(new ScoringUnavailableException(name + " stopped"));
      release(job);
    }
  }

  private void release(Job<I, O> job) {
    try {
      released.accept(job.item());
    } catch (RuntimeException e) {
      LOG.error("{} could not release an item", name, e);
    }
  }

  /** Stops taking work, finishes what is queued, and stops the workers. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread worker : workers) {
      try {
        worker.join(settings.timeout().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failWaiting();
  }
}
