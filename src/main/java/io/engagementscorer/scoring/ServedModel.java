package io.engagementscorer.scoring;

import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelOrigin;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded model with what serving it takes: its self-check outcome, where it came from, and the
 * preparer for its inputs. Counted leases keep it open while anything still uses it: the scorer
 * holds one while the model is current, every post prepared for it holds one until its batch is
 * done, and every worker session on it holds one. Once retired and drained, the model is closed.
 */
public final class ServedModel {
  private static final Logger LOG = LoggerFactory.getLogger(ServedModel.class);

  private final EngagementModel model;
  private final ModelOrigin origin;
  private final SelfCheck.Report selfCheck;
  private final PostPreparer preparer;
  private final FeatureCache cache;
  private final FeatureCache.View features;
  // Starts at one: the lease of whoever made it, handed to the scorer that serves it.
  private final AtomicInteger leases = new AtomicInteger(1);
  private volatile boolean retired;

  private ServedModel(
      EngagementModel model,
      ModelOrigin origin,
      SelfCheck.Report selfCheck,
      FeatureCache cache,
      PostLimits limits) {
    this.model = model;
    this.origin = origin;
    this.selfCheck = selfCheck;
    this.cache = cache;
    this.features = cache.forModel(model.featureKey());
    this.preparer = new PostPreparer(model, limits, features);
  }

  /**
   * Runs the self-check of reference cases on {@code model} and wraps it; the result owns the
   * model.
   *
   * @param rawTolerance how far the score from raw reference inputs may be from Python's
   * @param cache where the model's features are reused from once it serves (the self-check itself
   *     computes everything)
   */
  public static ServedModel check(
      EngagementModel model,
      ModelOrigin origin,
      PostLimits limits,
      int sentimentBatchSize,
      double rawTolerance,
      FeatureCache cache,
      MeterRegistry registry) {
    SelfCheck.Report report;
    try (BatchScorer checker =
        new BatchScorer(
            model,
            FeatureCache.disabled().forModel(model.featureKey()),
            sentimentBatchSize,
            registry)) {
      report = SelfCheck.run(model, checker, rawTolerance);
    }
    return new ServedModel(model, origin, report, cache, limits);
  }

  /** The model. */
  public EngagementModel model() {
    return model;
  }

  /** The model's version, from its manifest. */
  public String version() {
    return model.manifest().version();
  }

  /** Where the bundle came from. */
  public ModelOrigin origin() {
    return origin;
  }

  /** The self-check's outcome. */
  public SelfCheck.Report selfCheck() {
    return selfCheck;
  }

  /** Whether the model passed its self-check and may be served. */
  public boolean ready() {
    return selfCheck.passed();
  }

  PostPreparer preparer() {
    return preparer;
  }

  /** This model's entries in the feature cache. */
  FeatureCache.View features() {
    return features;
  }

  /** Whether a newer model replaced this one (it closes once nothing uses it). */
  boolean retired() {
    return retired;
  }

  /** Whether every lease was returned and the model closed. */
  boolean closed() {
    return leases.get() == 0;
  }

  /** Takes a lease, unless the model was already drained and closed. */
  boolean tryAcquire() {
    int current;
    do {
      current = leases.get();
      if (current == 0) {
        return false;
      }
    } while (!leases.compareAndSet(current, current + 1));
    return true;
  }

  /** Returns a lease; the last one closes the model. */
  void release() {
    int left = leases.decrementAndGet();
    if (left == 0) {
      model.close();
      int dropped = cache.invalidateModel(features.modelKey());
      LOG.info(
          "Closed model {} ({}): retired, and nothing in flight uses it; dropped its {} cached"
              + " features",
          version(),
          origin.location(),
          dropped);
    } else if (left < 0) {
      throw new IllegalStateException("model " + version() + " released more often than leased");
    }
  }

  /**
   * Gives up the maker's lease: the model stops taking new work and closes once what it has is
   * done. Used when a newer model replaces it, when the scorer closes, and to discard a model that
   * was never served.
   */
  public void retire() {
    retired = true;
    release();
  }
}
