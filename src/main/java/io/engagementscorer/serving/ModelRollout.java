package io.engagementscorer.serving;

import com.fasterxml.jackson.annotation.JsonValue;
import io.engagementscorer.model.ModelOrigin;
import io.engagementscorer.rollout.CandidateComparison;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.SelfCheck;
import io.engagementscorer.scoring.ServedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one instance and the decisions about them: the served model and its reloader, the
 * candidate (when a candidate source is configured) with its own reloader, how their scores
 * compare, and how far re-scoring for a new served version has come. Promoting makes the candidate
 * the served model at a batch boundary, with the scorer's no-drop swap; dropping stops shadow
 * scoring. Both act on this instance only.
 */
public final class ModelRollout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRollout.class);

  /** What a rollout decision did. */
  public enum Outcome {
    /** The candidate serves now. */
    PROMOTED,
    /** The candidate no longer scores. */
    DROPPED,
    /** There was no candidate to promote or drop. */
    NO_CANDIDATE;

    /** The outcome's name in answers: lower case. */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The answer to a decision.
   *
   * @param outcome what happened
   * @param servedVersion the version served afterwards
   * @param candidateVersion the candidate's version afterwards, or null when there is none
   * @param detail what was done, in words
   */
  public record Decision(
      Outcome outcome, String servedVersion, String candidateVersion, String detail) {}

  /**
   * The candidate, for {@code model-info}.
   *
   * @param configured whether a candidate source is configured
   * @param version the candidate's version, or null when none is loaded
   * @param source where it came from
   * @param selfCheck its self-check
   * @param sampleRate the share of stream posts it scores ({@code CANDIDATE_SAMPLE_RATE})
   * @param comparison how its scores compare with the served model's, or null before any
   * @param reloads its reloader's activity
   */
  public record CandidateStatus(
      boolean configured,
      String version,
      ModelOrigin source,
      SelfCheck.Report selfCheck,
      double sampleRate,
      CandidateComparison.Snapshot comparison,
      ModelReloader.Status reloads) {}

  private final EngagementScorer scorer;
  private final ModelReloader served;
  private final ModelReloader candidate;
  private final double sampleRate;
  private final CandidateComparison comparison;
  private final RescoreProgress rescore;
  private final Counter promotions;
  private final Counter drops;

  private static Counter decisions(MeterRegistry registry, String decision) {
    return Counter.builder("engagement.model.rollout.decisions")
        .tag("decision", decision)
        .description("Candidates promoted to serve or dropped through the admin API")
        .register(registry);
  }

  /**
   * The rollout of {@code scorer}'s models.
   *
   * @param served the served model's reloader
   * @param candidate the candidate's reloader, or null when no candidate source is configured
   * @param sampleRate the share of stream posts the candidate scores
   */
  public ModelRollout(
      EngagementScorer scorer,
      ModelReloader served,
      ModelReloader candidate,
      double sampleRate,
      CandidateComparison comparison,
      RescoreProgress rescore,
      MeterRegistry registry) {
    this.promotions = decisions(registry, "promoted");
    this.drops = decisions(registry, "dropped");
    this.scorer = scorer;
    this.served = served;
    this.candidate = candidate;
    this.sampleRate = sampleRate;
    this.comparison = comparison;
    this.rescore = rescore;
  }

  /** The served model's reloader. */
  public ModelReloader servedReloader() {
    return served;
  }

  /** The candidate's reloader, when a candidate source is configured. */
  public Optional<ModelReloader> candidateReloader() {
    return Optional.ofNullable(candidate);
  }

  /**
   * Makes the candidate the served model. What was prepared for the old model finishes on it; every
   * post prepared from now on is scored by the new one. The served model's source is still watched:
   * a new revision there replaces the promoted model, and a restart serves what that source holds,
   * so publish the candidate's bundle there to keep it.
   */
  public synchronized Decision promote() {
    String before = scorer.current().version();
    Optional<ServedModel> promoted = scorer.promoteCandidate();
    if (promoted.isEmpty()) {
      return new Decision(Outcome.NO_CANDIDATE, before, null, "there is no candidate to promote");
    }
    ServedModel now = promoted.get();
    promotions.increment();
    publish();
    LOG.info(
        "Promoted candidate {} ({}) to serve, replacing {}. Publish its bundle to the served"
            + " model's source to keep it after a restart",
        now.version(),
        now.origin().location(),
        before);
    return new Decision(
        Outcome.PROMOTED,
        now.version(),
        null,
        "now serving "
            + now.version()
            + " from "
            + now.origin().location()
            + ", replacing "
            + before);
  }

  /**
   * Stops scoring with the candidate; it closes once its queued posts are done. Its source's
   * revision is not loaded again until that source changes, or a candidate reload is forced.
   */
  public synchronized Decision drop() {
    Optional<ServedModel> dropped = scorer.dropCandidate();
    String servedVersion = scorer.current().version();
    if (dropped.isEmpty()) {
      return new Decision(
          Outcome.NO_CANDIDATE, servedVersion, null, "there is no candidate to drop");
    }
    if (candidate != null) {
      candidate.dismissInstalled();
    }
    drops.increment();
    return new Decision(
        Outcome.DROPPED,
        servedVersion,
        null,
        "dropped candidate " + dropped.get().version() + "; still serving " + servedVersion);
  }

  private void publish() {
    served.publishServed();
    if (candidate != null) {
      candidate.publishServed();
    }
  }

  /** The candidate now. */
  public CandidateStatus candidateStatus() {
    Optional<ServedModel> model = scorer.candidate();
    return new CandidateStatus(
        candidate != null,
        model.map(ServedModel::version).orElse(null),
        model.map(ServedModel::origin).orElse(null),
        model.map(ServedModel::selfCheck).orElse(null),
        sampleRate,
        comparison.snapshot(),
        candidate == null ? null : candidate.status());
  }

  /** The served and candidate scores compared. */
  public CandidateComparison comparison() {
    return comparison;
  }

  /** Re-scoring's progress, which this instance's tasks report to. */
  public RescoreProgress rescore() {
    return rescore;
  }

  /** Re-scoring on a model change, as this instance's tasks report it. */
  public RescoreProgress.Snapshot rescoreStatus() {
    return rescore.snapshot();
  }

  /** Stops both reloaders and closes their sources. */
  @Override
  public void close() {
    if (candidate != null) {
      candidate.close();
    }
    served.close();
  }
}
