package io.engagementscorer.stream;

import io.engagementscorer.rollout.CandidateComparison;
import io.engagementscorer.rollout.CandidateSampler;
import io.engagementscorer.rollout.PostRate;
import io.engagementscorer.rollout.RescoreProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * What the topology does for a model rollout, shared by every task of an instance.
 *
 * @param sampler which posts the candidate scores too, or null when no candidate is configured
 *     (then nothing goes to a candidate topic)
 * @param candidateMaxWait how long a ready served score waits for the candidate's score of the same
 *     post, to be published with it
 * @param comparison the served and candidate scores compared
 * @param rescore whether stored posts are scored again on a model change, and how far that is
 * @param rescoreRate the bound on posts scored again per second
 */
public record StreamRollout(
    CandidateSampler sampler,
    Duration candidateMaxWait,
    CandidateComparison comparison,
    RescoreProgress rescore,
    PostRate rescoreRate) {

  /** Neither a candidate nor re-scoring: the topology scores live posts only. */
  public static StreamRollout none(MeterRegistry registry) {
    return new StreamRollout(
        null,
        Duration.ZERO,
        new CandidateComparison(2, registry),
        new RescoreProgress(false, registry),
        new PostRate(1));
  }

  /** Whether a candidate is configured (it may still be absent now: not loaded, or dropped). */
  boolean shadowScoring() {
    return sampler != null;
  }
}
