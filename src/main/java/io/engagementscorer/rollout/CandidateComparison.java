package io.engagementscorer.rollout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * How a candidate's scores compare with the served model's on the same posts, per pair of versions:
 * every difference goes into a distribution, and the rank agreement (Spearman) and mean difference
 * are computed over a sliding window of the most recent posts. A new pair (another candidate, or a
 * promotion) starts a new window; the meters carry both versions as labels. Thread-safe: stream
 * threads record, scrapes and {@code model-info} read.
 */
public final class CandidateComparison {
  /** Why a sampled post has no candidate score on the candidate topic. */
  public enum Miss {
    /** The candidate's score was not ready within {@code CANDIDATE_MAX_WAIT_MS} of the served. */
    LATE,
    /** The candidate could not score the post (it was full, dropped, or failed). */
    FAILED
  }

  /**
   * The comparison now, for {@code model-info}.
   *
   * @param servedVersion the served model's version
   * @param candidateVersion the candidate's version
   * @param windowPosts posts in the window
   * @param rankCorrelation Spearman rank correlation of the two scores over the window; null with
   *     fewer than two posts or when either side is constant
   * @param meanDifference mean of candidate minus served over the window
   * @param maxAbsoluteDifference the largest absolute difference in the window
   * @param published candidate scores published with this pair
   * @param late sampled posts whose candidate score came too late
   * @param failed sampled posts the candidate could not score
   */
  public record Snapshot(
      String servedVersion,
      String candidateVersion,
      int windowPosts,
      Double rankCorrelation,
      double meanDifference,
      double maxAbsoluteDifference,
      long published,
      long late,
      long failed) {}

  private final MeterRegistry registry;
  private final int windowSize;
  private final ArrayDeque<double[]> window = new ArrayDeque<>();
  private final List<Meter> pairMeters = new ArrayList<>();
  private String servedVersion;
  private String candidateVersion;
  private DistributionSummary differences;
  private Timer latency;
  private Counter published;
  private Counter late;
  private Counter failed;

  /** A comparison over the last {@code windowSize} posts, with meters in {@code registry}. */
  public CandidateComparison(int windowSize, MeterRegistry registry) {
    if (windowSize < 2) {
      throw new IllegalArgumentException("the window needs at least two posts: " + windowSize);
    }
    this.windowSize = windowSize;
    this.registry = registry;
  }

  /**
   * Records one post scored by both models.
   *
   * @param candidateLatency from the candidate's submission to its score
   */
  public synchronized void record(
      String served,
      double servedScore,
      String candidate,
      double candidateScore,
      Duration candidateLatency) {
    pair(served, candidate);
    double difference = candidateScore - servedScore;
    differences.record(Math.abs(difference));
    latency.record(candidateLatency);
    published.increment();
    window.addLast(new double[] {servedScore, candidateScore});
    while (window.size() > windowSize) {
      window.removeFirst();
    }
  }

  /** Records a sampled post that went out without a candidate score. */
  public synchronized void miss(String served, String candidate, Miss reason) {
    pair(served, candidate);
    (reason == Miss.LATE ? late : failed).increment();
  }

  /** The comparison of the current pair, or null before any post was compared. */
  public synchronized Snapshot snapshot() {
    if (servedVersion == null) {
      return null;
    }
    double sum = 0;
    double max = 0;
    for (double[] scores : window) {
      double difference = scores[1] - scores[0];
      sum += difference;
      max = Math.max(max, Math.abs(difference));
    }
    return new Snapshot(
        servedVersion,
        candidateVersion,
        window.size(),
        rankCorrelationNow(),
        window.isEmpty() ? 0 : sum / window.size(),
        max,
        (long) published.count(),
        (long) late.count(),
        (long) failed.count());
  }

  private Double rankCorrelationNow() {
    if (window.size() < 2) {
      return null;
    }
    double[] served = new double[window.size()];
    double[] candidate = new double[window.size()];
    int index = 0;
    for (double[] scores : window) {
      served[index] = scores[0];
      candidate[index] = scores[1];
      index++;
    }
    double correlation = new SpearmansCorrelation().correlation(served, candidate);
    return Double.isNaN(correlation) ? null : correlation;
  }

  private synchronized double rankCorrelationGauge() {
    Double correlation = rankCorrelationNow();
    return correlation == null ? Double.NaN : correlation;
  }

  private synchronized double windowGauge() {
    return window.size();
  }

  /** Switches to the pair ({@code served}, {@code candidate}) when it is new. */
  private void pair(String served, String candidate) {
    if (served.equals(servedVersion) && candidate.equals(candidateVersion)) {
      return;
    }
    pairMeters.forEach(registry::remove);
    pairMeters.clear();
    window.clear();
    servedVersion = served;
    candidateVersion = candidate;
    Tags tags = Tags.of("served_version", served, "candidate_version", candidate);
    differences =
        DistributionSummary.builder("engagement.candidate.score.difference")
            .tags(tags)
            .description("Absolute difference of candidate and served engagement scores per post")
            .serviceLevelObjectives(0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
            .register(registry);
    latency =
        Timer.builder("engagement.candidate.latency")
            .tags(tags)
            .description("From a sampled post's candidate submission to its candidate score")
            .publishPercentileHistogram()
            .register(registry);
    published = outcome(tags, "published");
    late = outcome(tags, "late");
    failed = outcome(tags, "failed");
    pairMeters.add(differences);
    pairMeters.add(latency);
    pairMeters.add(published);
    pairMeters.add(late);
    pairMeters.add(failed);
    pairMeters.add(
        Gauge.builder(
                "engagement.candidate.rank.agreement", this, self -> self.rankCorrelationGauge())
            .tags(tags)
            .description(
                "Spearman rank correlation of candidate and served scores over the recent window")
            .register(registry));
    pairMeters.add(
        Gauge.builder("engagement.candidate.window.posts", this, self -> self.windowGauge())
            .tags(tags)
            .description("Posts in the window the rank agreement is computed over")
            .register(registry));
  }

  private Counter outcome(Tags tags, String outcome) {
    return Counter.builder("engagement.candidate.posts")
        .tags(tags)
        .tag("outcome", outcome)
        .description(
            "Sampled posts by what became of their candidate score: published, late or failed")
        .register(registry);
  }
}
