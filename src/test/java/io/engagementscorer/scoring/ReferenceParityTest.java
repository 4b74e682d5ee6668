package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.InferenceSession;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ReferenceCase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Java against the Python reference, case by case. From Python's own tensors, scores agree within
 * the manifest's tolerance (1e-4): the same TorchScript on the same libtorch, so only summation
 * order differs. From the raw text, image and comments, this service's cleaning, tokenization and
 * image preprocessing reproduce Python's tensors exactly for lossless images (bit-exact Pillow
 * resampling) and for the JPEG case here (the JDK on this platform decodes with libjpeg-turbo like
 * Pillow), so the same 1e-4 holds; the service's default SELF_CHECK_RAW_TOLERANCE (1e-3) leaves
 * room for a JDK whose own JPEG decoder rounds a level differently.
 */
class ReferenceParityTest {
  private static final double TOLERANCE = 1e-4;
  private static final double LOSSLESS_PIXEL_TOLERANCE = 1e-5;

  private static EngagementModel model;
  private static PostPreparer preparer;
  private static BatchScorer scorer;

  @BeforeAll
  static void loadModel() {
    model = EngagementModel.load(ModelBundle.open(BundleFixtures.TINY), Device.cpu());
    FeatureCache.View nothingReused = FeatureCache.disabled().forModel(model.featureKey());
    preparer = new PostPreparer(model, PostLimits.NONE, nothingReused);
    scorer = new BatchScorer(model, nothingReused, 64, new SimpleMeterRegistry());
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
    model.close();
  }

  static List<ReferenceCase> cases() {
    return ReferenceCase.readAll(ModelBundle.open(BundleFixtures.TINY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldMatchPythonFromPythonsTensors(ReferenceCase reference) {
    ReferenceCase.Expected expected = reference.expected();
    try (InferenceSession session = model.newSession()) {
      if (!expected.sentimentInputIds().isEmpty()) {
        float[][] logits = session.sentimentLogits(expected.sentimentInputIds());
        for (int comment = 0; comment < logits.length; comment++) {
          float[] want = expected.sentimentLogits().get(comment);
          for (int label = 0; label < want.length; label++) {
            assertThat((double) logits[comment][label])
                .as("logit %d of comment %d", label, comment)
                .isCloseTo(want[label], within(TOLERANCE));
          }
        }
      }
    }

    EngagementPrediction prediction = scorer.process(List.of(tensorsOf(reference))).get(0);

    assertThat(prediction.score().engagementScore())
        .isCloseTo(expected.engagementScore(), within(TOLERANCE));
    assertThat(prediction.score().sentimentScore())
        .isCloseTo(expected.sentimentScore(), within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldMatchPythonFromTheRawTextImageAndComments(ReferenceCase reference) {
    ModelBundle bundle = model.bundle();
    ReferenceCase.Expected expected = reference.expected();

    PreparedPost prepared =
        preparer.prepare(
            new PostContent(
                reference.rawText(), reference.imageBytes(bundle), reference.comments()));

    assertThat(prepared.cleanedText()).isEqualTo(expected.cleanedText());
    assertThat(prepared.text().inputIds()).containsExactly(expected.inputIds());
    assertThat(prepared.text().attentionMask()).containsExactly(expected.attentionMask());
    assertThat(prepared.commentTokens()).hasSameSizeAs(expected.sentimentInputIds());
    for (int comment = 0; comment < prepared.commentTokens().size(); comment++) {
      assertThat(prepared.commentTokens().get(comment))
          .containsExactly(expected.sentimentInputIds().get(comment));
    }
    float[] pixels = reference.pixelValues(bundle);
    if (pixels == null) {
      assertThat(prepared.image().pixelValues()).isNull();
    } else {
      assertThat(prepared.image().pixelValues())
          .containsExactly(pixels, within((float) LOSSLESS_PIXEL_TOLERANCE));
    }
    EngagementPrediction prediction = scorer.process(List.of(prepared)).get(0);
    assertThat(prediction.score().engagementScore())
        .isCloseTo(expected.engagementScore(), within(TOLERANCE));
    assertThat(prediction.score().sentimentScore())
        .isCloseTo(expected.sentimentScore(), within(TOLERANCE));
  }

  @Test
  void shouldScoreEveryCaseTheSameInOneBatchAsAlone() {
    List<PreparedPost> posts = new ArrayList<>();
    for (ReferenceCase reference : cases()) {
      posts.add(tensorsOf(reference));
    }

    List<EngagementPrediction> together = scorer.process(posts);

    for (int index = 0; index < posts.size(); index++) {
      EngagementPrediction alone = scorer.process(List.of(posts.get(index))).get(0);
      assertThat(together.get(index).score().engagementScore())
          .isCloseTo(alone.score().engagementScore(), within(1e-5));
      assertThat(together.get(index).score().sentimentScore())
          .isCloseTo(alone.score().sentimentScore(), within(1e-5));
    }
  }

  @Test
  void shouldPassTheSelfCheckOnTheCommittedBundle() {
    SelfCheck.Report report = SelfCheck.run(model, scorer, 1e-3);

    assertThat(report.passed()).isTrue();
    assertThat(report.cases()).hasSameSizeAs(cases());
    assertThat(report.cases()).allMatch(result -> result.tensorDifference() <= TOLERANCE);
  }

  @Test
  void shouldFailTheSelfCheckNamingTheCaseWhenPythonsAnswerDiffers(@TempDir Path temp) {
    Path copy = BundleFixtures.copyOfTiny(temp.resolve("bundle"));
    String casesFile = "reference/cases.json";
    ObjectNode cases = BundleFixtures.readJson(copy.resolve(casesFile));
    ObjectNode first = (ObjectNode) cases.get("cases").get(0);
    ObjectNode expected = (ObjectNode) first.get("expected");
    expected.set(
        "engagement_score", DoubleNode.valueOf(expected.get("engagement_score").asDouble() + 0.01));
    BundleFixtures.writeJson(copy.resolve(casesFile), cases);
    BundleFixtures.rehash(copy, casesFile);

    try (EngagementModel tampered = EngagementModel.load(ModelBundle.open(copy), Device.cpu());
        BatchScorer tamperedScorer =
            new BatchScorer(
                tampered,
                FeatureCache.disabled().forModel(tampered.featureKey()),
                64,
                new SimpleMeterRegistry())) {
      SelfCheck.Report report = SelfCheck.run(tampered, tamperedScorer, 1e-3);

      assertThat(report.passed()).isFalse();
      SelfCheck.CaseResult failed = report.cases().get(0);
      assertThat(failed.name()).isEqualTo(first.get("name").asText());
      assertThat(failed.passed()).isFalse();
      assertThat(failed.tensorDifference()).isCloseTo(0.01, within(TOLERANCE));
      assertThat(failed.problems()).anyMatch(problem -> problem.contains("differs by"));
      assertThat(report.cases().subList(1, report.cases().size()))
          .allMatch(SelfCheck.CaseResult::passed);
    }
  }

  @Test
  void shouldScoreABundleWithoutPartsAsBeforeAndAsTheParts(@TempDir Path temp) {
    List<PreparedPost> posts = new ArrayList<>();
    for (ReferenceCase reference : cases()) {
      posts.add(tensorsOf(reference));
    }
    List<EngagementPrediction> parts = scorer.process(posts);
    try (EngagementModel monolithic =
            EngagementModel.load(
                ModelBundle.open(BundleFixtures.tinyWithoutParts(temp.resolve("old"))),
                Device.cpu());
        BatchScorer monolithicScorer =
            new BatchScorer(
                monolithic,
                FeatureCache.disabled().forModel(monolithic.featureKey()),
                64,
                new SimpleMeterRegistry())) {
      assertThat(model.hasRegressorParts()).isTrue();
      assertThat(monolithic.hasRegressorParts()).isFalse();
      assertThat(SelfCheck.run(monolithic, monolithicScorer, 1e-3).passed()).isTrue();

      List<EngagementPrediction> whole = monolithicScorer.process(posts);

      for (int index = 0; index < posts.size(); index++) {
        assertThat(parts.get(index).score().engagementScore())
            .isCloseTo(whole.get(index).score().engagementScore(), within(1e-6));
        assertThat(whole.get(index).features().imageFeatures()).isNull();
      }
    }
  }

  private static PreparedPost tensorsOf(ReferenceCase reference) {
    ReferenceCase.Expected expected = reference.expected();
    return PreparedPost.fromTensors(
        expected.cleanedText(),
        expected.inputIds(),
        expected.attentionMask(),
        reference.pixelValues(model.bundle()),
        expected.sentimentInputIds());
  }
}
