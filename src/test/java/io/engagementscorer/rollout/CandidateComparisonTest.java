package io.engagementscorer.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CandidateComparisonTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CandidateComparison comparison = new CandidateComparison(4, registry);

  @Test
  void shouldComputeRankAgreementAndDifferencesOverTheWindowOnly() {
    // Reversed order first: these fall out of the window of four.
    comparison.record("v1", 0.1, "v2", 0.9, Duration.ofMillis(5));
    comparison.record("v1", 0.9, "v2", 0.1, Duration.ofMillis(5));
    for (double score : new double[] {0.2, 0.4, 0.6, 0.8}) {
      comparison.record("v1", score, "v2", score + 0.05, Duration.ofMillis(10));
    }

    CandidateComparison.Snapshot snapshot = comparison.snapshot();
    assertThat(snapshot.windowPosts()).isEqualTo(4);
    assertThat(snapshot.rankCorrelation()).isEqualTo(1.0, within(1e-12));
    assertThat(snapshot.meanDifference()).isEqualTo(0.05, within(1e-12));
    assertThat(snapshot.maxAbsoluteDifference()).isEqualTo(0.05, within(1e-12));
    assertThat(snapshot.published()).isEqualTo(6);
    assertThat(
            registry
                .get("engagement.candidate.rank.agreement")
                .tags("served_version", "v1", "candidate_version", "v2")
                .gauge()
                .value())
        .isEqualTo(1.0, within(1e-12));
    assertThat(registry.get("engagement.candidate.score.difference").summary().count())
        .isEqualTo(6);
  }

  @Test
  void shouldStartAFreshWindowAndMetersForANewPairOfVersions() {
    comparison.record("v1", 0.2, "v2", 0.8, Duration.ofMillis(5));
    comparison.record("v1", 0.8, "v2", 0.2, Duration.ofMillis(5));
    assertThat(comparison.snapshot().rankCorrelation()).isEqualTo(-1.0, within(1e-12));
    comparison.miss("v1", "v2", CandidateComparison.Miss.LATE);

    comparison.record("v2", 0.3, "v3", 0.3, Duration.ofMillis(5));

    CandidateComparison.Snapshot snapshot = comparison.snapshot();
    assertThat(snapshot.candidateVersion()).isEqualTo("v3");
    assertThat(snapshot.windowPosts()).isEqualTo(1);
    assertThat(snapshot.rankCorrelation()).isNull();
    assertThat(snapshot.late()).isZero();
    assertThat(
            registry
                .find("engagement.candidate.rank.agreement")
                .tag("candidate_version", "v2")
                .gauge())
        .isNull();
    assertThat(
            registry
                .get("engagement.candidate.rank.agreement")
                .tag("candidate_version", "v3")
                .gauge()
                .value())
        .isNaN();
  }
}
