package io.engagementscorer.rollout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this instance's tasks have come in scoring their stored posts again for a new served
 * version: each task reports its own pass (the durable part lives in the task's changelogged
 * store); this adds them up for metrics, {@code model-info} and a log line every ten seconds while
 * a pass runs (done, total, rate, estimated time left). Thread-safe.
 */
public final class RescoreProgress {
  private static final Logger LOG = LoggerFactory.getLogger(RescoreProgress.class);
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  /** What became of a stored post in a re-scoring pass. */
  public enum Outcome {
    /** Scored again with the new model and published. */
    RESCORED,
    /** Left alone: already scored by the new model, pending a live score, or never scored. */
    SKIPPED,
    /** Scored, but the post changed meanwhile; its live score is the one that counts. */
    SUPERSEDED,
    /** The new model could not score it; it keeps its previous score. */
    FAILED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * This instance's progress, for {@code model-info}.
   *
   * @param enabled whether re-scoring on a model change is on ({@code RESCORE_ON_MODEL_CHANGE})
   * @param targetVersions the versions the tasks re-score for (one, unless a change is under way)
   * @param tasks tasks of this instance with a pass on record
   * @param running tasks whose pass has not finished
   * @param done stored posts handled in the current passes
   * @param total stored posts the current passes cover
   * @param postsPerSecond rate since this instance began the passes
   * @param secondsLeft estimated time left at that rate, or null when unknown or finished
   */
  public record Snapshot(
      boolean enabled,
      TreeSet<String> targetVersions,
      int tasks,
      int running,
      long done,
      long total,
      double postsPerSecond,
      Long secondsLeft) {}

  /** One task's pass, as the task last reported it. */
  private record TaskPass(
      String target, long done, long total, boolean finished, long firstDone, long firstNanos) {}

  private final boolean enabled;
  private final LongSupplier nanoTime;
  private final Map<String, TaskPass> passes = new ConcurrentHashMap<>();
  private final Map<Outcome, Counter> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong lastLog = new AtomicLong();

  /** Progress over the system clock. */
  public RescoreProgress(boolean enabled, MeterRegistry registry) {
    this(enabled, registry, System::nanoTime);
  }

  RescoreProgress(boolean enabled, MeterRegistry registry, LongSupplier nanoTime) {
    this.enabled = enabled;
    this.nanoTime = nanoTime;
    this.lastLog.set(nanoTime.getAsLong() - LOG_INTERVAL_NANOS);
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(
          outcome,
          Counter.builder("engagement.rescore.posts")
              .tag("outcome", outcome.label())
              .description("Stored posts handled by re-scoring for a new model, by outcome")
              .register(registry));
    }
    Gauge.builder("engagement.rescore.pass.done", this, self -> self.snapshot().done())
        .description("Stored posts handled in this instance's current re-scoring passes")
        .register(registry);
    Gauge.builder("engagement.rescore.pass.posts", this, self -> self.snapshot().total())
        .description("Stored posts this instance's current re-scoring passes cover")
        .register(registry);
    Gauge.builder("engagement.rescore.pass.running.tasks", this, self -> self.snapshot().running())
        .description("Tasks of this instance whose re-scoring pass has not finished")
        .register(registry);
  }

  /** Whether re-scoring on a model change is on. */
  public boolean enabled() {
    return enabled;
  }

  /** Counts one post's outcome. */
  public void count(Outcome outcome) {
    outcomes.get(outcome).increment();
  }

  /** Records {@code task}'s pass for {@code target} as it stands. */
  public void report(String task, String target, long done, long total, boolean finished) {
    long now = nanoTime.getAsLong();
    passes.compute(
        task,
        (key, before) ->
            before != null && before.target().equals(target)
                ? new TaskPass(
                    target, done, total, finished, before.firstDone(), before.firstNanos())
                : new TaskPass(target, done, total, finished, done, now));
    logIfDue(now);
  }

  /** Forgets {@code task}: it closed or moved to another instance, which resumes its pass. */
  public void forget(String task) {
    passes.remove(task);
  }

  /** This instance's progress now. */
  public Snapshot snapshot() {
    long now = nanoTime.getAsLong();
    TreeSet<String> targets = new TreeSet<>();
    long done = 0;
    long total = 0;
    long doneHere = 0;
    long earliest = Long.MAX_VALUE;
    int running = 0;
    for (TaskPass pass : passes.values()) {
      targets.add(pass.target());
      done += pass.done();
      total += pass.total();
      if (!pass.finished()) {
        running++;
        doneHere += pass.done() - pass.firstDone();
        earliest = Math.min(earliest, pass.firstNanos());
      }
    }
    double seconds = running == 0 ? 0 : (now - earliest) / 1e9;
    double rate = seconds > 0 ? doneHere / seconds : 0;
    Long left = running == 0 || rate <= 0 ? null : (long) Math.ceil((total - done) / rate);
    return new Snapshot(enabled, targets, passes.size(), running, done, total, rate, left);
  }

  private void logIfDue(long now) {
    long last = lastLog.get();
    if (now - last < LOG_INTERVAL_NANOS || !lastLog.compareAndSet(last, now)) {
      return;
    }
    Snapshot progress = snapshot();
    if (progress.running() == 0) {
      return;
    }
    LOG.info(
        "Re-scoring stored posts for model {}: {} of {} ({}%), {} posts/s, {} left; {} of {} tasks"
            + " still running",
        String.join(", ", progress.targetVersions()),
        progress.done(),
        progress.total(),
        progress.total() == 0 ? 100 : progress.done() * 100 / progress.total(),
        String.format(Locale.ROOT, "%.1f", progress.postsPerSecond()),
        progress.secondsLeft() == null ? "unknown time" : "about " + progress.secondsLeft() + " s",
        progress.running(),
        progress.tasks());
  }
}
