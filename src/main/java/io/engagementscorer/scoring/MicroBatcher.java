package io.engagementscorer.scoring;

import io.engagementscorer.errors.ScoringUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups single items into batches for a {@link BatchProcessor}. Each item is a job with its own
 * future on a bounded queue; a worker blocks for the first job, takes what is already queued, then
 * waits until the batch is full or the first job has waited {@code maxDelay}. A full queue refuses
 * at once with {@link ScoringUnavailableException}; every future completes within the timeout. A
 * failing batch is retried item by item, so a bad item fails only itself, and the worker goes on.
 *
 * @param <I> item type
 * @param <O> result type
 */
public final class MicroBatcher<I, O> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
  private static final long IDLE_POLL_MILLIS = 100;

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

  private final String name;
  private final BatcherSettings settings;
  private final Consumer<? super I> released;
  private final BlockingQueue<Job<I, O>> queue;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

  private final DistributionSummary batchSizes;
  private final Timer queueTime;
  private final Counter rejected;

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
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    Gauge.builder("engagement.batcher.queue.depth", queue, BlockingQueue::size)
        .tag("batcher", name)
        .description("Items waiting for a batch")
        .register(registry);
    Gauge.builder("engagement.batcher.queue.capacity", queue, q -> settings.queueCapacity())
        .tag("batcher", name)
        .description("Items that may wait before new ones are refused")
        .register(registry);
    this.batchSizes =
        DistributionSummary.builder("engagement.batcher.batch.size")
            .tag("batcher", name)
            .description("Items per batch")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    this.queueTime =
        Timer.builder("engagement.batcher.queue.time")
            .tag("batcher", name)
            .description("Time from submission to the start of the item's batch")
            .publishPercentileHistogram()
            .register(registry);
    this.rejected =
        Counter.builder("engagement.batcher.rejected")
            .tag("batcher", name)
            .description("Items refused because the queue was full or the batcher closed")
            .register(registry);
    for (int index = 0; index < settings.workers(); index++) {
      Thread worker = new Thread(() -> runWorker(processors), name + "-worker-" + index);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  /**
   * Queues {@code item}. The future fails with {@link ScoringUnavailableException} at once when the
   * queue is full or the batcher is closed, and with a {@link
   * java.util.concurrent.TimeoutException} when no result came within the timeout.
   */
  public CompletableFuture<O> submit(Lane lane, I item) {
    CompletableFuture<O> result = new CompletableFuture<>();
    if (closed) {
      rejected.increment();
      released.accept(item);
      result.completeExceptionally(new ScoringUnavailableException(name + " is shutting down"));
      return result;
    }
    if (!queue.offer(new Job<>(item, result, System.nanoTime()))) {
      rejected.increment();
      released.accept(item);
      result.completeExceptionally(
          new ScoringUnavailableException(
              name + " queue is full (" + settings.queueCapacity() + " items waiting)"));
      return result;
    }
    return result.orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Items waiting for a batch now. */
  public int queueDepth() {
    return queue.size();
  }

  private void runWorker(Supplier<? extends BatchProcessor<I, O>> processors) {
    try (BatchProcessor<I, O> processor = processors.get()) {
      while (!closed || !queue.isEmpty()) {
        List<Job<I, O>> batch = nextBatch();
        try {
          if (!batch.isEmpty()) {
            run(processor, batch);
          }
        } finally {
          batch.forEach(this::release);
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

  private List<Job<I, O>> nextBatch() throws InterruptedException {
    List<Job<I, O>> batch = new ArrayList<>(settings.maxBatchSize());
    Job<I, O> first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
    if (first == null) {
      return batch;
    }
    batch.add(first);
    long deadline = first.enqueuedNanos() + settings.maxDelay().toNanos();
    queue.drainTo(batch, settings.maxBatchSize() - batch.size());
    while (batch.size() < settings.maxBatchSize()) {
      long remaining = deadline - System.nanoTime();
      Job<I, O> next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : null;
      if (next == null) {
        break;
      }
      batch.add(next);
      queue.drainTo(batch, settings.maxBatchSize() - batch.size());
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
    return batch;
  }

  private void run(BatchProcessor<I, O> processor, List<Job<I, O>> batch) {
    long start = System.nanoTime();
    batchSizes.record(batch.size());
    for (Job<I, O> job : batch) {
      queueTime.record(start - job.enqueuedNanos(), TimeUnit.NANOSECONDS);
    }
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
    Job<I, O> job;
    while ((job = queue.poll()) != null) {
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
    closed = true;
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
