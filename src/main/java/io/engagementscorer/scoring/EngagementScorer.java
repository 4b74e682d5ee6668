package io.engagementscorer.scoring;

import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring core every caller shares: prepares a post on the caller's thread and scores it in a
 * micro-batch. It serves one model at a time and can {@link #replace(ServedModel) replace} it while
 * running: posts already prepared finish on the model that prepared them, new posts go to the new
 * model, and the old model closes once it has drained. A model that failed its self-check is not
 * served.
 *
 * <p>Beside the served model it may hold a candidate, which scores posts in the shadow ({@link
 * #scoreWithCandidate}) in the batcher's lowest lane, and which can be {@link #promoteCandidate()
 * promoted} to serve (the same no-drop swap) or {@link #dropCandidate() dropped}.
 */
public final class EngagementScorer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngagementScorer.class);

  private final AtomicReference<ServedModel> current;
  private final AtomicReference<ServedModel> candidate = new AtomicReference<>();
  private final MicroBatcher<ScoringJob, EngagementPrediction> batcher;
  private volatile boolean closed;

  private EngagementScorer(
      ServedModel initial, MicroBatcher<ScoringJob, EngagementPrediction> batcher) {
    this.current = new AtomicReference<>(initial);
    this.batcher = batcher;
  }

  /** Starts the batcher's workers over {@code initial}, which the scorer then owns. */
  public static EngagementScorer start(
      ServedModel initial,
      BatcherSettings settings,
      int sentimentBatchSize,
      MeterRegistry registry) {
    MicroBatcher<ScoringJob, EngagementPrediction> batcher =
        new MicroBatcher<>(
            "scoring",
            settings,
            () -> new ScoringWorker(sentimentBatchSize, registry),
            job -> job.model().release(),
            registry);
    return new EngagementScorer(initial, batcher);
  }

  /**
   * Scores {@code post}.
   *
   * @return the prediction, or a future failed with {@link ScoringUnavailableException} when the
   *     queue is full, or a {@link java.util.concurrent.TimeoutException} past the timeout
   * @throws InvalidInputException at once, when the post breaks a limit or its image is unreadable
   * @throws ScoringUnavailableException at once, when the model failed its self-check
   */
  public CompletableFuture<EngagementPrediction> score(PostContent post) {
    return score(ScoringRequest.of(post), Lane.HTTP);
  }

  /**
   * Scores {@code request}, reusing what it knows when the serving model is the one that computed
   * it; its image is read (and fetched) only when that does not cover it. It waits in {@code lane}
   * of the batcher.
   *
   * @see #score(PostContent)
   */
  public CompletableFuture<EngagementPrediction> score(ScoringRequest request, Lane lane) {
    return submit(acquireCurrent(), request, lane);
  }

  /**
   * Scores {@code request} with the candidate model, in the {@link Lane#CANDIDATE} lane, behind all
   * served work.
   *
   * @throws ScoringUnavailableException at once, when there is no candidate (none was loaded, or it
   *     was just promoted or dropped)
   */
  public CompletableFuture<EngagementPrediction> scoreWithCandidate(ScoringRequest request) {
    ServedModel model = candidate.get();
    if (model == null || !model.tryAcquire()) {
      throw new ScoringUnavailableException("no candidate model");
    }
    return submit(model, request, Lane.CANDIDATE);
  }

  private CompletableFuture<EngagementPrediction> submit(
      ServedModel model, ScoringRequest request, Lane lane) {
    PreparedPost prepared;
    try {
      if (!model.ready()) {
        throw new ScoringUnavailableException(
            "model " + model.version() + " failed its start-up self-check; see /api/v1/model-info");
      }
      prepared = model.preparer().prepare(request);
    } catch (RuntimeException e) {
      model.release();
      throw e;
    }
    // From here the batcher holds the lease and returns it when the post's batch is done.
    return batcher.submit(lane, new ScoringJob(model, prepared));
  }

  private ServedModel acquireCurrent() {
    while (true) {
      ServedModel model = current.get();
      if (model.tryAcquire()) {
        return model;
      }
      // Drained between the read and the lease: either a newer model is current now, or the
      // scorer closed.
      if (closed || current.get() == model) {
        throw new ScoringUnavailableException("the scorer is shutting down");
      }
    }
  }

  /**
   * Serves {@code next} from now on; the previous model finishes what it has and then closes.
   *
   * @throws IllegalArgumentException when {@code next} failed its self-check
   */
  public synchronized void replace(ServedModel next) {
    if (!next.ready()) {
      throw new IllegalArgumentException(
          "model " + next.version() + " failed its self-check and must not be served");
    }
    if (closed) {
      next.retire();
      throw new ScoringUnavailableException("the scorer is shutting down");
    }
    ServedModel previous = current.getAndSet(next);
    LOG.info(
        "Now serving model {} from {} (replaced {}; it closes once its queued posts are scored)."
            + " Feature caches start cold for {}: each post's next score runs its encoders again",
        next.version(),
        next.origin().location(),
        previous.version(),
        next.version());
    previous.retire();
  }

  /** The model being served now. */
  public ServedModel current() {
    return current.get();
  }

  /**
   * Scores in the shadow with {@code next} from now on; a previous candidate finishes what it has
   * and closes.
   *
   * @throws IllegalArgumentException when {@code next} failed its self-check
   */
  public synchronized void replaceCandidate(ServedModel next) {
    if (!next.ready()) {
      throw new IllegalArgumentException(
          "model " + next.version() + " failed its self-check and must not score");
    }
    if (closed) {
      next.retire();
      throw new ScoringUnavailableException("the scorer is shutting down");
    }
    ServedModel previous = candidate.getAndSet(next);
    LOG.info(
        "Candidate model {} from {} scores in the shadow{}",
        next.version(),
        next.origin().location(),
        previous == null ? "" : " (replaced candidate " + previous.version() + ")");
    if (previous != null) {
      previous.retire();
    }
  }

  /** The candidate model, when there is one. */
  public Optional<ServedModel> candidate() {
    return Optional.ofNullable(candidate.get());
  }

  /**
   * Serves the candidate from now on, with the no-drop swap of {@link #replace}: posts prepared
   * before finish on the models that prepared them. There is no candidate afterwards.
   *
   * @return the promoted model, or empty when there was no candidate
   */
  public synchronized Optional<ServedModel> promoteCandidate() {
    ServedModel next = candidate.getAndSet(null);
    if (next == null) {
      return Optional.empty();
    }
    // The candidate's maker's lease passes to the scorer that now serves it.
    replace(next);
    return Optional.of(next);
  }

  /**
   * Stops shadow scoring: the candidate finishes what it has queued and closes.
   *
   * @return the dropped model, or empty when there was no candidate
   */
  public synchronized Optional<ServedModel> dropCandidate() {
    ServedModel dropped = candidate.getAndSet(null);
    if (dropped != null) {
      LOG.info("Dropped candidate model {} ({})", dropped.version(), dropped.origin().location());
      dropped.retire();
    }
    return Optional.ofNullable(dropped);
  }

  /** Whether {@link #close} has begun: nothing is scored from then on. */
  public boolean closed() {
    return closed;
  }

  /** Posts waiting for a batch now. */
  public int queueDepth() {
    return batcher.queueDepth();
  }

  /** Finishes queued work, stops the workers, and closes the model. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    batcher.close();
    current.get().retire();
    ServedModel shadow = candidate.getAndSet(null);
    if (shadow != null) {
      shadow.retire();
    }
  }
}
