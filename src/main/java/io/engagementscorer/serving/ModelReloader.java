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
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a model slot current (the served model, or the candidate scoring in the shadow): at an
 * interval (when configured) and on demand, asks the source for its primary bundle's newest
 * revision; a new one is fetched, verified, loaded and self-checked in the background, and only
 * then handed to the scorer, which swaps it in without dropping a request. A bundle that fails any
 * step is rejected, logged and counted, and is not tried again until it changes (or a reload is
 * forced); the old model keeps serving. What is new is judged against the revision this reloader
 * last installed from its source, not against the model in the slot, so a promoted candidate keeps
 * serving until the served model's own source changes.
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

  /**
   * Where a reloader installs models: the scorer's served model or its candidate.
   *
   * @param name how logs and answers name the slot: {@code served} or {@code candidate}
   * @param metricPrefix the prefix of the slot's meters
   * @param current the model in the slot now, if any
   * @param install puts a checked model in the slot
   */
  public record Slot(
      String name,
      String metricPrefix,
      Supplier<Optional<ServedModel>> current,
      Consumer<ServedModel> install) {

    /** The served model of {@code scorer}; its meters are {@code engagement.model.*}. */
    public static Slot served(EngagementScorer scorer) {
      return new Slot(
          "served", "engagement.model", () -> Optional.of(scorer.current()), scorer::replace);
    }

    /** The candidate of {@code scorer}; its meters are {@code engagement.candidate.*}. */
    public static Slot candidate(EngagementScorer scorer) {
      return new Slot(
          "candidate", "engagement.candidate", scorer::candidate, scorer::replaceCandidate);
    }
  }

  private final BundleSource source;
  private final ModelLoader loader;
  private final Slot slot;
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
  // The revision last put in the slot from this source, or null.
  private volatile BundleSource.Revision installed;

  /**
   * A reloader over {@code scorer}'s served model; {@link #start()} begins the periodic checks.
   *
   * @param interval how often to check the source; zero for on-demand only
   */
  public ModelReloader(
      BundleSource source,
      ModelLoader loader,
      EngagementScorer scorer,
      Duration interval,
      MeterRegistry registry) {
    this(source, loader, Slot.served(scorer), interval, registry);
  }

  /**
   * A reloader over {@code slot}, whose model (if any) came from {@code source}; {@link #start()}
   * begins the periodic checks.
   *
   * @param interval how often to check the source; zero for on-demand only
   */
  public ModelReloader(
      BundleSource source,
      ModelLoader loader,
      Slot slot,
      Duration interval,
      MeterRegistry registry) {
    this.source = source;
    this.loader = loader;
    this.slot = slot;
    this.interval = interval;
    this.installed = slot.current().get().map(ModelReloader::revisionOf).orElse(null);
    String prefix = slot.metricPrefix();
    this.succeeded = reloads(registry, prefix, "success");
    this.failed = reloads(registry, prefix, "failure");
    this.checkErrors =
        Counter.builder(prefix + ".reload.check.errors")
            .description("Checks for a new model version that could not reach the source")
            .register(registry);
    this.servedInfo =
        MultiGauge.builder(prefix + ".info")
            .description(
                "The " + slot.name() + " model: always 1, labelled with its version and source")
            .register(registry);
    Gauge.builder(
            prefix + ".loaded.timestamp",
            slot,
            held ->
                held.current()
                    .get()
                    .map(model -> model.model().loadedAt().toEpochMilli() / 1000.0)
                    .orElse(Double.NaN))
        .baseUnit("seconds")
        .description(
            "When the " + slot.name() + " model finished loading, in seconds since the epoch")
        .register(registry);
    TimeGauge.builder(
            prefix + ".load.time",
            slot,
            TimeUnit.MILLISECONDS,
            held ->
                held.current()
                    .get()
                    .map(model -> (double) model.model().loadTime().toMillis())
                    .orElse(Double.NaN))
        .description("How long loading the " + slot.name() + " model took")
        .register(registry);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "model-reload-" + slot.name());
              thread.setDaemon(true);
              return thread;
            });
    publishServed();
  }

  private static BundleSource.Revision revisionOf(ServedModel model) {
    return new BundleSource.Revision(model.origin().location(), model.origin().revision(), -1);
  }

  private static Counter reloads(MeterRegistry registry, String prefix, String outcome) {
    return Counter.builder(prefix + ".reloads")
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
          "Checking {} for new {} model versions every {} s",
          source.describe(),
          slot.name(),
          interval.toSeconds());
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
      return new Result(Outcome.BUSY, versionNow(), "a reload is already running");
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
    String current = versionNow();
    Optional<BundleSource.Revision> latest;
    try {
      latest = source.latest();
    } catch (BundleSourceException e) {
      checkErrors.increment();
      LOG.warn(
          "Cannot check {} for a new {} model: {}", source.describe(), slot.name(), e.getMessage());
      return new Result(Outcome.UNAVAILABLE, current, e.getMessage());
    }
    if (latest.isEmpty()) {
      return unchanged(current, source.describe() + " holds no bundle now");
    }
    BundleSource.Revision revision = latest.get();
    // An emptied slot (a dropped or promoted candidate) takes its revision again only when forced.
    if (isInstalled(revision) && (current != null || !force)) {
      return unchanged(current, "the source still holds the version installed from it");
    }
    if (!force && rejectedRevisions.contains(revision.id())) {
      return unchanged(current, "revision " + revision.id() + " was rejected before");
    }
    LOG.info(
        "New {} model revision {} at {}: fetching",
        slot.name(),
        revision.id(),
        revision.location());
    FetchedBundle fetched;
    try {
      fetched = source.fetch(revision);
    } catch (BundleSourceException e) {
      if (!e.rejected()) {
        checkErrors.increment();
        LOG.warn("Cannot fetch {}: {}", revision.location(), e.getMessage());
        return new Result(Outcome.UNAVAILABLE, current, e.getMessage());
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
    slot.install().accept(next);
    installed = revision;
    rejectedRevisions.remove(revision.id());
    publishServed();
    return new Result(
        Outcome.RELOADED,
        next.version(),
        "now "
            + ("served".equals(slot.name()) ? "serving " : "scoring in the shadow with ")
            + next.version()
            + " from "
            + next.origin().location()
            + (current == null ? "" : ", replacing " + current));
  }

  private boolean isInstalled(BundleSource.Revision revision) {
    BundleSource.Revision mine = installed;
    return mine != null
        && revision.id().equals(mine.id())
        && revision.location().equals(mine.location());
  }

  private String versionNow() {
    return slot.current().get().map(ServedModel::version).orElse(null);
  }

  /**
   * Puts {@code revision} aside like a rejected one: periodic checks do not load it again until the
   * source holds another revision; a forced reload still does. Used when a candidate is dropped.
   */
  public void dismissInstalled() {
    BundleSource.Revision mine = installed;
    if (mine != null) {
      rejectedRevisions.add(mine.id());
    }
    publishServed();
  }

  private Result unchanged(String current, String detail) {
    LOG.debug("No new {} model: {}", slot.name(), detail);
    return new Result(Outcome.UNCHANGED, current, detail);
  }

  private Result reject(String current, BundleSource.Revision revision, String detail) {
    rejectedRevisions.add(revision.id());
    LOG.error(
        "Rejected the new {} model at {} (revision {}): {}; keeping {}",
        slot.name(),
        revision.location(),
        revision.id(),
        detail,
        current == null ? "none" : current);
    return new Result(Outcome.REJECTED, current, detail);
  }

  private static String failures(SelfCheck.Report report) {
    return String.join(
        "; ",
        report.cases().stream()
            .filter(result -> !result.passed())
            .map(result -> result.name() + ": " + String.join(", ", result.problems()))
            .toList());
  }

  /** Publishes the slot's model on the info gauge (no row when the slot is empty). */
  public void publishServed() {
    servedInfo.register(
        slot.current().get().stream()
            .map(
                served ->
                    MultiGauge.Row.of(
                        Tags.of(
                            "version",
                            served.version(),
                            "source",
                            served.origin().location(),
                            "precision",
                            served.model().manifest().precisionOrDefault()),
                        1))
            .toList(),
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
