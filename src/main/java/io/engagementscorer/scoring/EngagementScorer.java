package io.engagementscorer.scoring;

import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.preprocess.InvalidInputException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * The scoring core every caller shares: prepares a post on the caller's thread and scores it in a
 * micro-batch. The model is checked against its reference cases before the first score; a model
 * that fails the check is not served.
 */
public final class EngagementScorer implements AutoCloseable {
  private final EngagementModel model;
  private final PostPreparer preparer;
  private final SelfCheck.Report selfCheck;
  private final MicroBatcher<PreparedPost, EngagementPrediction> batcher;

  private EngagementScorer(
      EngagementModel model,
      PostPreparer preparer,
      SelfCheck.Report selfCheck,
      MicroBatcher<PreparedPost, EngagementPrediction> batcher) {
    this.model = model;
    this.preparer = preparer;
    this.selfCheck = selfCheck;
    this.batcher = batcher;
  }

  /**
   * Runs the self-check on {@code model}, then starts the batcher's workers.
   *
   * @param rawTolerance how far the score from raw reference inputs may be from Python's
   */
  public static EngagementScorer start(
      EngagementModel model,
      PostLimits limits,
      BatcherSettings settings,
      int sentimentBatchSize,
      double rawTolerance,
      MeterRegistry registry) {
    PostPreparer preparer = new PostPreparer(model, limits);
    SelfCheck.Report report;
    try (BatchScorer checker = new BatchScorer(model, sentimentBatchSize, registry)) {
      report = SelfCheck.run(model, checker, rawTolerance);
    }
    MicroBatcher<PreparedPost, EngagementPrediction> batcher =
        new MicroBatcher<>(
            "scoring",
            settings,
            BatchScorer.factory(model, sentimentBatchSize, registry),
            registry);
    return new EngagementScorer(model, preparer, report, batcher);
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
    if (!selfCheck.passed()) {
      throw new ScoringUnavailableException(
          "model "
              + model.manifest().version()
              + " failed its start-up self-check; see /api/v1/model-info");
    }
    return batcher.submit(preparer.prepare(post));
  }

  /** Whether the model passed its self-check and is being served. */
  public boolean ready() {
    return selfCheck.passed();
  }

  /** The start-up self-check's outcome. */
  public SelfCheck.Report selfCheck() {
    return selfCheck;
  }

  /** The model being served. */
  public EngagementModel model() {
    return model;
  }

  /** Posts waiting for a batch now. */
  public int queueDepth() {
    return batcher.queueDepth();
  }

  /** Finishes queued work and stops the workers; the model stays open (its owner closes it). */
  @Override
  public void close() {
    batcher.close();
  }
}
