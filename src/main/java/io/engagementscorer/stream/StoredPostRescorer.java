package io.engagementscorer.stream;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.avro.RescorePass;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.rollout.PostRate;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.Lane;
import io.engagementscorer.scoring.ScoringRequest;
import io.engagementscorer.scoring.ServedModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one task's stored posts again when the served model's version changes, on the stream
 * thread, without waiting: a pass walks the post-state store in key order, a window of posts at a
 * time, submitting each to the scorer's {@link Lane#RESCORE} lane (behind HTTP and live posts) at
 * most at the instance's rate. A window's scores go out like live ones, in the task's transaction,
 * and the pass's cursor (in the changelogged {@code rescore-progress} store) moves past the window
 * once every post in it is handled, in a later transaction. After a crash or a partition move the
 * pass resumes from the last committed cursor; a post whose latest score is already by the new
 * version is skipped, so each post is scored once per version change.
 *
 * <p>Skipped as well: a post pending a live score (the live path scores it with the new model), a
 * post that was never scored (it went to the dead letters). A post that changes while it is being
 * scored again keeps its live score. A version change during a pass starts a new pass.
 */
final class StoredPostRescorer {
  private static final Logger LOG = LoggerFactory.getLogger(StoredPostRescorer.class);
  static final String PASS_KEY = "pass";
  // Keys looked at per call, so a stretch of posts that need nothing never holds the thread long.
  private static final int MAX_SCANNED_PER_STEP = 1_000;

  private final String task;
  private final EngagementScorer scorer;
  private final Executor preparation;
  private final RescoreProgress progress;
  private final PostRate rate;
  private final int windowSize;
  private final Function<PostState, ScoringRequest> requests;
  private final BiConsumer<PostState, EngagementPrediction> publish;
  private final KeyValueStore<String, PostState> postStates;
  private final KeyValueStore<String, Long> pending;
  private final KeyValueStore<String, EngagementScore> latestScores;
  private final KeyValueStore<String, RescorePass> passes;

  // The window being scored: its jobs, and how far it reaches in the store.
  private final List<Job> window = new ArrayList<>();
  private String windowEnd;
  private long windowHandled;
  private boolean windowReachedEnd;

  /** A post being scored again. */
  private static final class Job {
    final PostState state;
    CompletableFuture<EngagementPrediction> result;

    Job(PostState state) {
      this.state = state;
    }
  }

  StoredPostRescorer(
      String task,
      EngagementScorer scorer,
      Executor preparation,
      StreamRollout rollout,
      int windowSize,
      Function<PostState, ScoringRequest> requests,
      BiConsumer<PostState, EngagementPrediction> publish,
      KeyValueStore<String, PostState> postStates,
      KeyValueStore<String, Long> pending,
      KeyValueStore<String, EngagementScore> latestScores,
      KeyValueStore<String, RescorePass> passes) {
    this.task = task;
    this.scorer = scorer;
    this.preparation = preparation;
    this.progress = rollout.rescore();
    this.rate = rollout.rescoreRate();
    this.windowSize = windowSize;
    this.requests = requests;
    this.publish = publish;
    this.postStates = postStates;
    this.pending = pending;
    this.latestScores = latestScores;
    this.passes = passes;
  }

  /** Collects finished posts, moves the cursor past a finished window, and starts the next. */
  void step(long nowMillis) {
    if (!progress.enabled()) {
      return;
    }
    collect();
    ServedModel served = scorer.current();
    RescorePass pass = passes.get(PASS_KEY);
    if (pass == null || !pass.getTargetVersion().equals(served.version())) {
      if (!served.ready() || !window.isEmpty()) {
        // A window for the old version is still out: let it finish (its scores are valid).
        return;
      }
      pass = begin(served.version(), pass, nowMillis);
    }
    if (pass.getFinished()) {
      return;
    }
    if (!window.isEmpty()) {
      resubmitRefused();
      return;
    }
    fillWindow(pass);
    if (window.isEmpty() && (windowHandled > 0 || windowReachedEnd)) {
      advance(pass);
    }
  }

  private RescorePass begin(String version, RescorePass previous, long nowMillis) {
    // approximateNumEntries is only an estimate for persistent stores: count, once per pass.
    long total = 0;
    try (KeyValueIterator<String, PostState> all = postStates.all()) {
      while (all.hasNext()) {
        all.next();
        total++;
      }
    }
    RescorePass pass =
        RescorePass.newBuilder()
            .setTargetVersion(version)
            .setCursor(null)
            .setDone(0)
            .setTotal(total)
            .setFinished(total == 0)
            .setStartedAt(Instant.ofEpochMilli(nowMillis))
            .build();
    passes.put(PASS_KEY, pass);
    LOG.info(
        "Task {}: scoring its {} stored posts again for model {}{}, at most {} posts/s for the"
            + " instance",
        task,
        total,
        version,
        previous == null ? "" : " (the last pass was for " + previous.getTargetVersion() + ")",
        (long) rate.perSecond());
    report(pass);
    return pass;
  }

  private void fillWindow(RescorePass pass) {
    String target = pass.getTargetVersion();
    windowHandled = 0;
    windowEnd = pass.getCursor();
    windowReachedEnd = false;
    int scanned = 0;
    try (KeyValueIterator<String, PostState> posts =
        pass.getCursor() == null ? postStates.all() : postStates.range(pass.getCursor(), null)) {
      while (true) {
        if (!posts.hasNext()) {
          windowReachedEnd = true;
          return;
        }
        if (window.size() >= windowSize || scanned >= MAX_SCANNED_PER_STEP) {
          return;
        }
        String postId = posts.peekNextKey();
        if (postId.equals(pass.getCursor())) {
          posts.next();
          continue;
        }
        scanned++;
        boolean needed = needsScore(postId, target);
        if (needed && !rate.tryAcquire()) {
          return;
        }
        PostState state = posts.next().value;
        if (needed) {
          Job job = new Job(state);
          submit(job);
          window.add(job);
        } else {
          progress.count(RescoreProgress.Outcome.SKIPPED);
        }
        windowEnd = postId;
        windowHandled++;
      }
    }
  }

  private boolean needsScore(String postId, String target) {
    if (pending.get(postId) != null) {
      return false;
    }
    EngagementScore latest = latestScores.get(postId);
    return latest != null && !latest.getModelVersion().equals(target);
  }

  private void submit(Job job) {
    // The stores are read here, on the stream thread; preparing runs on the preparation pool.
    ScoringRequest request = requests.apply(job.state);
    job.result =
        CompletableFuture.completedFuture(request)
            .thenComposeAsync(post -> scorer.score(post, Lane.RESCORE), preparation);
  }

  /** Posts the scorer could not take (its lane was full, or it timed out) go again. */
  private void resubmitRefused() {
    for (Job job : window) {
      if (job.result == null) {
        if (!rate.tryAcquire()) {
          return;
        }
        submit(job);
      }
    }
  }

  /** Handles the window's finished posts; called on every pass of the stream thread. */
  void collect() {
    boolean hadWork = !window.isEmpty();
    Iterator<Job> jobs = window.iterator();
    while (jobs.hasNext()) {
      Job job = jobs.next();
      if (job.result == null || !job.result.isDone()) {
        continue;
      }
      if (handle(job)) {
        jobs.remove();
      } else {
        job.result = null;
      }
    }
    if (hadWork && window.isEmpty()) {
      RescorePass pass = passes.get(PASS_KEY);
      if (pass != null && !pass.getFinished()) {
        advance(pass);
      }
    }
  }

  /** Whether the post is handled; false when it must be submitted again. */
  private boolean handle(Job job) {
    String postId = job.state.getPostId();
    EngagementPrediction prediction;
    try {
      prediction = job.result.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ScoringUnavailableException || cause instanceof TimeoutException) {
        return false;
      }
      LOG.warn(
          "Task {}: post {} could not be scored again ({}); it keeps its previous score",
          task,
          postId,
          cause.toString());
      progress.count(RescoreProgress.Outcome.FAILED);
      return true;
    }
    PostState now = postStates.get(postId);
    if (now == null || now.getVersion() != job.state.getVersion() || pending.get(postId) != null) {
      progress.count(RescoreProgress.Outcome.SUPERSEDED);
      return true;
    }
    publish.accept(job.state, prediction);
    progress.count(RescoreProgress.Outcome.RESCORED);
    return true;
  }

  private void advance(RescorePass pass) {
    RescorePass next =
        RescorePass.newBuilder(pass)
            .setCursor(windowEnd)
            .setDone(Math.min(pass.getTotal(), pass.getDone() + windowHandled))
            .setFinished(windowReachedEnd)
            .build();
    if (windowReachedEnd) {
      // Posts added during the pass count too: done is what the pass went through.
      next.setDone(Math.max(next.getDone(), pass.getDone() + windowHandled));
      next.setTotal(Math.max(next.getTotal(), next.getDone()));
      LOG.info(
          "Task {}: every stored post is scored by model {} ({} posts in the pass)",
          task,
          next.getTargetVersion(),
          next.getDone());
    }
    passes.put(PASS_KEY, next);
    windowHandled = 0;
    windowReachedEnd = false;
    report(next);
  }

  private void report(RescorePass pass) {
    progress.report(
        task, pass.getTargetVersion(), pass.getDone(), pass.getTotal(), pass.getFinished());
  }

  /** Reports the task's pass as committed so far (after a restart or a partition move). */
  void resume() {
    if (!progress.enabled()) {
      return;
    }
    RescorePass pass = passes.get(PASS_KEY);
    if (pass != null) {
      report(pass);
    }
  }

  /** Forgets the window: its task closes or moves, and the committed cursor still has it. */
  void close() {
    for (Job job : window) {
      if (job.result != null) {
        job.result.cancel(false);
      }
    }
    window.clear();
    progress.forget(task);
  }
}
