package io.engagementscorer.serving;

import com.fasterxml.jackson.annotation.JsonValue;
import io.engagementscorer.bundles.BundleSource;
import io.engagementscorer.bundles.BundleSourceException;
import io.engagementscorer.bundles.FetchedBundle;
import io.engagementscorer.model.ModelException;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.SelfCheck;
import io.engagementscorer.scoring.ServedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the served model current: at an interval (when configured) and on demand, asks the source
 * for the primary bundle's newest revision; a new one is fetched, verified, loaded and self-checked
 * in the background, and only then handed to the scorer, which swaps it in without dropping a
 * request. A bundle that fails any step is rejected, logged and counted, and is not tried again
 * until it changes (or a reload is forced); the old model keeps serving.
 */
public final class ModelReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelReloader.class);

  /** What a reload attempt did. */
  public enum Outcome {
    /** A new version is being served. */
    RELOADED,
    /** Nothing new at the source (or only a version rejected before). */
    UNCHANGED,
    /** A new version failed a check; the old one keeps serving. */
    REJECTED,
    /** The source could not be asked; the old version keeps serving. */
    UNAVAILABLE,
    /** Another reload is running. */
    BUSY;

    /** The outcome's name in answers: lower case. */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The result of one attempt.
   *
   * @param outcome what happened
   * @param version the version served afterwards
   * @param detail what was found or why it failed
   */
  public record Result(Outcome outcome, String version, String detail) {}

  /**
   * Reload activity, for {@code /api/v1/model-info}.
   *
   * @param intervalSeconds how often the source is checked, 0 when only on demand
   * @param succeeded reloads that put a new version in service
   * @param failed new versions rejected
   * @param lastCheckAt when the source was last checked, or null
   * @param lastResult the last attempt that reloaded or rejected a version, or null
   */
  public record Status(
      long intervalSeconds, long succeeded, long failed, String lastCheckAt, Result lastResult) {}

  private final BundleSource source;
  private final ModelLoader loader;
  private final EngagementScorer scorer;
  private final Duration interval;
  private final ReentrantLock running = new ReentrantLock();
  private final Set<String> rejectedRevisions = new HashSet<>();
  private final Counter succeeded;
  private final Counter failed;
  private final Counter checkErrors;
  private final MultiGauge servedInfo;
  private final ScheduledExecutorService scheduler;
  private volatile Instant lastCheckAt;
  private volatile Result lastResult;

  /**
   * A reloader over {@code scorer}'s model; {@link #start()} begins the periodic checks.
   *
   * @param interval how often to check the source; zero for on-demand only
   */
  public ModelReloader(
      BundleSource source,
      ModelLoader loader,
      EngagementScorer scorer,
      Duration interval,
      MeterRegistry registry) {
    this.source = source;
    this.loader = loader;
    this.scorer = scorer;
    this.interval = interval;
    this.succeeded = reloads(registry, "success");
    this.failed = reloads(registry, "failure");
    this.checkErrors =
        Counter.builder("engagement.model.reload.check.errors")
            .description("Checks for a new model version that could not reach the source")
            .register(registry);
    this.servedInfo =
        MultiGauge.builder("engagement.model.info")
            .description("The served model: always 1, labelled with its version and source")
            .register(registry);
    Gauge.builder(
            "engagement.model.loaded.timestamp",
            scorer,
            served -> served.current().model().loadedAt().toEpochMilli() / 1000.0)
        .baseUnit("seconds")
        .description("When the served model finished loading, in seconds since the epoch")
        .register(registry);
    TimeGauge.builder(
            "engagement.model.load.time",
            scorer,
            TimeUnit.MILLISECONDS,
            served -> served.current().model().loadTime().toMillis())
        .description("How long loading the served model took")
        .register(registry);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "model-reload");
              thread.setDaemon(true);
              return thread;
            });
    publishServed();
  }

  private static Counter reloads(MeterRegistry registry, String outcome) {
    return Counter.builder("engagement.model.reloads")
        .tag("outcome", outcome)
        .description("Attempts to serve a new model version, by outcome")
        .register(registry);
  }

  /** Starts checking the source every interval, when one is configured. */
  // The task's future carries nothing: checkSafely catches everything, and close() stops it.
  @SuppressWarnings("FutureReturnValueIgnored")
  public ModelReloader start() {
    if (!interval.isZero()) {
      long millis = interval.toMillis();
      scheduler.scheduleWithFixedDelay(this::checkSafely, millis, millis, TimeUnit.MILLISECONDS);
      LOG.info(
          "Checking {} for new model versions every {} s", source.describe(), interval.toSeconds());
    }
    return this;
  }

  private void checkSafely() {
    try {
      reload(false);
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: keep the checks going whatever happens.
      LOG.error("Model reload check failed unexpectedly", e);
    }
  }

  /**
   * Checks the source now and serves a new version if there is one, retrying a version that was
   * rejected before.
   */
  public Result reloadNow() {
    return reload(true);
  }

  private Result reload(boolean force) {
    if (!running.tryLock()) {
      return new Result(Outcome.BUSY, scorer.current().version(), "a reload is already running");
    }
    try {
      lastCheckAt = Instant.now();
      Result result = attempt(force);
      // Published before it is counted: whoever sees the count then sees this result. A check
      // that found nothing new keeps the last reload or rejection, which is what an operator asks.
      if (result.outcome() != Outcome.UNCHANGED) {
        lastResult = result;
      }
      if (result.outcome() == Outcome.RELOADED) {
        succeeded.increment();
      } else if (result.outcome() == Outcome.REJECTED) {
        failed.increment();
      }
      return result;
    } finally {
      running.unlock();
    }
  }

  private Result attempt(boolean force) {
    ServedModel current = scorer.current();
    Optional<BundleSource.Revision> latest;
    try {
      latest = source.latest();
    } catch (BundleSourceException e) {
      checkErrors.increment();
      LOG.warn("Cannot check {} for a new model: {}", source.describe(), e.getMessage());
      return new Result(Outcome.UNAVAILABLE, current.version(), e.getMessage());
    }
    if (latest.isEmpty()) {
      return unchanged(current, source.describe() + " holds no bundle now");
    }
    BundleSource.Revision revision = latest.get();
    if (isServed(current, revision)) {
      return unchanged(current, "the source still holds the served version");
    }
    if (!force && rejectedRevisions.contains(revision.id())) {
      return unchanged(current, "revision " + revision.id() + " was rejected before");
    }
    LOG.info("New model revision {} at {}: fetching", revision.id(), revision.location());
    FetchedBundle fetched;
    try {
      fetched = source.fetch(revision);
    } catch (BundleSourceException e) {
      if (!e.rejected()) {
        checkErrors.increment();
        LOG.warn("Cannot fetch {}: {}", revision.location(), e.getMessage());
        return new Result(Outcome.UNAVAILABLE, current.version(), e.getMessage());
      }
      return reject(current, revision, e.getMessage());
    }
    ServedModel next;
    try {
      next = loader.load(fetched);
    } catch (ModelException e) {
      source.discard(fetched);
      return reject(current, revision, e.getMessage());
    }
    if (!next.ready()) {
      String detail = "failed its self-check: " + failures(next.selfCheck());
      next.retire();
      source.discard(fetched);
      return reject(current, revision, "version " + next.version() + " " + detail);
    }
    scorer.replace(next);
    rejectedRevisions.remove(revision.id());
    publishServed();
    return new Result(
        Outcome.RELOADED,
        next.version(),
        "now serving "
            + next.version()
            + " from "
            + next.origin().location()
            + ", replacing "
            + current.version());
  }

  private static boolean isServed(ServedModel current, BundleSource.Revision revision) {
    return revision.id().equals(current.origin().revision())
        && revision.location().equals(current.origin().location());
  }

  private Result unchanged(ServedModel current, String detail) {
    LOG.debug("No new model: {}", detail);
    return new Result(Outcome.UNCHANGED, current.version(), detail);
  }

  private Result reject(ServedModel current, BundleSource.Revision revision, String detail) {
    rejectedRevisions.add(revision.id());
    LOG.error(
        "Rejected the new model at {} (revision {}): {}; still serving {}",
        revision.location(),
        revision.id(),
        detail,
        current.version());
    return new Result(Outcome.REJECTED, current.version(), detail);
  }

  private static String failures(SelfCheck.Report report) {
    return String.join(
        "; ",
        report.cases().stream()
            .filter(result -> !result.passed())
            .map(result -> result.name() + ": " + String.join(", ", result.problems()))
            .toList());
  }

  private void publishServed() {
    ServedModel served = scorer.current();
    servedInfo.register(
        List.of(
            MultiGauge.Row.of(
                Tags.of("version", served.version(), "source", served.origin().location()), 1)),
        true);
  }

  /** Reload activity so far. */
  public Status status() {
    Instant checked = lastCheckAt;
    return new Status(
        interval.toSeconds(),
        (long) succeeded.count(),
        (long) failed.count(),
        checked == null ? null : checked.toString(),
        lastResult);
  }

  /** Stops the checks (waiting for one in progress) and closes the source. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("A model reload was still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
