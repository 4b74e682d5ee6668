package io.engagementscorer.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.bundles.BundleSource;
import io.engagementscorer.bundles.BundleSources;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.rollout.CandidateComparison;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.KnownFeatures;
import io.engagementscorer.scoring.PostContent;
import io.engagementscorer.scoring.ScoringRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Candidate, promotion and drop over two local bundle folders, with the real tiny model. */
class ModelRolloutTest {
  private static final PostContent POST = new PostContent("hello #world", null, List.of("nice"));
  private static final ScoringRequest REQUEST =
      new ScoringRequest("hello #world", null, List.of("nice"), KnownFeatures.NONE);

  @TempDir Path work;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private EngagementScorer scorer;
  private ModelReloader served;
  private ModelReloader candidate;
  private ModelRollout rollout;

  @BeforeEach
  void start() {
    BundleSource servedSource = BundleSources.local(BundleFixtures.copyOfTiny(work.resolve("s")));
    BundleSource candidateSource =
        BundleSources.local(BundleFixtures.tinyWithVersion(work.resolve("c"), "tiny-2"));
    ModelLoader loader = TestModelLoaders.cpu(registry);
    scorer =
        EngagementScorer.start(
            loader.load(servedSource.initial()),
            new BatcherSettings(8, Duration.ofMillis(2), 64, Duration.ofSeconds(30), 1),
            64,
            registry);
    scorer.replaceCandidate(loader.load(candidateSource.initial()));
    served = new ModelReloader(servedSource, loader, scorer, Duration.ZERO, registry);
    candidate =
        new ModelReloader(
            candidateSource, loader, ModelReloader.Slot.candidate(scorer), Duration.ZERO, registry);
    rollout =
        new ModelRollout(
            scorer,
            served,
            candidate,
            0.5,
            new CandidateComparison(10, registry),
            new RescoreProgress(false, registry),
            registry);
  }

  @AfterEach
  void stop() {
    rollout.close();
    scorer.close();
  }

  @Test
  void shouldScoreWithTheCandidateInTheShadowWithoutChangingTheServedModel() throws Exception {
    assertThat(scorer.scoreWithCandidate(REQUEST).get(30, TimeUnit.SECONDS).score().modelVersion())
        .isEqualTo("tiny-2");
    assertThat(scorer.score(POST).get(30, TimeUnit.SECONDS).score().modelVersion())
        .isEqualTo("tiny-1");
    assertThat(rollout.candidateStatus().version()).isEqualTo("tiny-2");
    assertThat(rollout.candidateStatus().selfCheck().passed()).isTrue();
    assertThat(registry.get("engagement.candidate.info").tag("version", "tiny-2").gauge().value())
        .isEqualTo(1);
    assertThat(candidate.reloadNow().outcome()).isEqualTo(ModelReloader.Outcome.UNCHANGED);
  }

  @Test
  void shouldKeepServingAPromotedCandidateAcrossReloadsOfBothSources() throws Exception {
    ModelRollout.Decision decision = rollout.promote();

    assertThat(decision.outcome()).isEqualTo(ModelRollout.Outcome.PROMOTED);
    assertThat(decision.servedVersion()).isEqualTo("tiny-2");
    assertThat(scorer.score(POST).get(30, TimeUnit.SECONDS).score().modelVersion())
        .isEqualTo("tiny-2");
    assertThat(scorer.candidate()).isEmpty();
    // Neither source changed: the served model's source does not take the promotion back, and
    // the candidate's does not come back as a candidate of itself.
    assertThat(served.reloadNow().outcome()).isEqualTo(ModelReloader.Outcome.UNCHANGED);
    assertThat(candidate.reloadNow().outcome()).isEqualTo(ModelReloader.Outcome.RELOADED);
    assertThat(scorer.current().version()).isEqualTo("tiny-2");
    assertThat(rollout.promote().outcome()).isEqualTo(ModelRollout.Outcome.PROMOTED);
    assertThat(rollout.promote().outcome()).isEqualTo(ModelRollout.Outcome.NO_CANDIDATE);
    assertThat(registry.get("engagement.model.info").tag("version", "tiny-2").gauge().value())
        .isEqualTo(1);
    assertThat(
            registry
                .get("engagement.model.rollout.decisions")
                .tag("decision", "promoted")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void shouldStopShadowScoringOnDropAndNotLoadTheDroppedRevisionAgainUnlessForced() {
    ModelRollout.Decision decision = rollout.drop();

    assertThat(decision.outcome()).isEqualTo(ModelRollout.Outcome.DROPPED);
    assertThat(decision.detail()).contains("dropped candidate tiny-2");
    assertThat(scorer.candidate()).isEmpty();
    assertThatThrownBy(() -> scorer.scoreWithCandidate(REQUEST))
        .isInstanceOf(ScoringUnavailableException.class);
    assertThat(registry.find("engagement.candidate.info").tag("version", "tiny-2").gauge())
        .isNull();
    assertThat(rollout.drop().outcome()).isEqualTo(ModelRollout.Outcome.NO_CANDIDATE);
    // A forced reload (the admin API's) brings it back.
    assertThat(candidate.reloadNow().outcome()).isEqualTo(ModelReloader.Outcome.RELOADED);
    assertThat(scorer.candidate()).isPresent();
  }
}
