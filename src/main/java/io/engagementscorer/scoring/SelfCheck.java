package io.engagementscorer.scoring;

import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ReferenceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bundle's reference cases through this service's code and compares with what Python
 * computed, twice per case: from Python's own tensors (model and sentiment arithmetic must agree
 * within the manifest's tolerance), and from the raw text, image and comments (this service's
 * preprocessing too, within {@code rawTolerance}, because JPEG decoders differ by a level here and
 * there). A model that fails is not served.
 */
public final class SelfCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SelfCheck.class);

  private SelfCheck() {}

  /**
   * One case's outcome.
   *
   * @param name case name
   * @param passed whether every comparison held
   * @param tensorDifference |engagement difference| from Python's tensors
   * @param rawDifference |engagement difference| from raw inputs
   * @param sentimentDifference largest |sentiment score difference| of the two runs
   * @param pixelDifference largest |pixel difference| of this service's image preprocessing
   * @param problems what did not hold, empty when passed
   */
  public record CaseResult(
      String name,
      boolean passed,
      double tensorDifference,
      double rawDifference,
      double sentimentDifference,
      double pixelDifference,
      List<String> problems) {}

  /**
   * The outcome of all cases.
   *
   * @param passed whether every case passed
   * @param tolerance the same-tensor tolerance, from the manifest
   * @param rawTolerance the raw-input tolerance on the engagement score
   * @param cases each case's outcome
   */
  public record Report(
      boolean passed, double tolerance, double rawTolerance, List<CaseResult> cases) {}

  /** Runs every reference case of {@code model}'s bundle on one batch scorer. */
  public static Report run(EngagementModel model, BatchScorer scorer, double configuredRaw) {
    PostPreparer preparer =
        new PostPreparer(
            model, PostLimits.NONE, FeatureCache.disabled().forModel(model.featureKey()));
    ModelBundle bundle = model.bundle();
    double tolerance = bundle.manifest().reference().tolerance();
    // A reduced-precision bundle declares a wider tolerance: from raw inputs it holds too.
    double rawTolerance = Math.max(configuredRaw, tolerance);
    List<ReferenceCase> cases = ReferenceCase.readAll(bundle);
    List<PreparedPost> fromTensors = new ArrayList<>();
    List<PreparedPost> fromRaw = new ArrayList<>();
    List<List<String>> problems = new ArrayList<>();
    for (ReferenceCase reference : cases) {
      List<String> caseProblems = new ArrayList<>();
      fromTensors.add(tensorsOf(reference, bundle));
      PreparedPost prepared =
          preparer.prepare(
              new PostContent(
                  reference.rawText(), reference.imageBytes(bundle), reference.comments()));
      comparePreparation(reference, prepared, caseProblems);
      fromRaw.add(prepared);
      problems.add(caseProblems);
    }
    List<EngagementPrediction> tensorScores = scorer.process(fromTensors);
    List<EngagementPrediction> rawScores = scorer.process(fromRaw);
    List<CaseResult> results = new ArrayList<>();
    for (int index = 0; index < cases.size(); index++) {
      ReferenceCase reference = cases.get(index);
      ReferenceCase.Expected expected = reference.expected();
      List<String> caseProblems = problems.get(index);
      double tensorDifference =
          Math.abs(tensorScores.get(index).score().engagementScore() - expected.engagementScore());
      double rawDifference =
          Math.abs(rawScores.get(index).score().engagementScore() - expected.engagementScore());
      double sentimentDifference =
          Math.max(
              Math.abs(
                  tensorScores.get(index).score().sentimentScore() - expected.sentimentScore()),
              Math.abs(rawScores.get(index).score().sentimentScore() - expected.sentimentScore()));
      if (tensorDifference > tolerance) {
        caseProblems.add(
            String.format(
                "engagement from Python's tensors differs by %.3g (tolerance %.3g)",
                tensorDifference, tolerance));
      }
      if (sentimentDifference > tolerance) {
        caseProblems.add(
            String.format(
                "sentiment score differs by %.3g (tolerance %.3g)",
                sentimentDifference, tolerance));
      }
      if (rawDifference > rawTolerance) {
        caseProblems.add(
            String.format(
                "engagement from raw inputs differs by %.3g (tolerance %.3g)",
                rawDifference, rawTolerance));
      }
      double pixelDifference =
          maxDifference(
              fromRaw.get(index).image().pixelValues(),
              fromTensors.get(index).image().pixelValues());
      results.add(
          new CaseResult(
              reference.name(),
              caseProblems.isEmpty(),
              tensorDifference,
              rawDifference,
              sentimentDifference,
              pixelDifference,
              List.copyOf(caseProblems)));
    }
    Report report =
        new Report(results.stream().allMatch(CaseResult::passed), tolerance, rawTolerance, results);
    log(report);
    return report;
  }

  private static PreparedPost tensorsOf(ReferenceCase reference, ModelBundle bundle) {
    ReferenceCase.Expected expected = reference.expected();
    return PreparedPost.fromTensors(
        expected.cleanedText(),
        expected.inputIds(),
        expected.attentionMask(),
        reference.pixelValues(bundle),
        expected.sentimentInputIds());
  }

  private static void comparePreparation(
      ReferenceCase reference, PreparedPost prepared, List<String> problems) {
    ReferenceCase.Expected expected = reference.expected();
    if (!prepared.cleanedText().equals(expected.cleanedText())) {
      problems.add(
          "cleaned text '"
              + prepared.cleanedText()
              + "' differs from Python's '"
              + expected.cleanedText()
              + "'");
    }
    if (!Arrays.equals(prepared.text().inputIds(), expected.inputIds())
        || !Arrays.equals(prepared.text().attentionMask(), expected.attentionMask())) {
      problems.add("CLIP token ids differ from Python's");
    }
    List<long[]> comments = prepared.commentTokens();
    if (comments.size() != expected.sentimentInputIds().size()) {
      problems.add("comment count differs from Python's");
      return;
    }
    for (int index = 0; index < comments.size(); index++) {
      if (!Arrays.equals(comments.get(index), expected.sentimentInputIds().get(index))) {
        problems.add("sentiment token ids of comment " + index + " differ from Python's");
      }
    }
  }

  private static double maxDifference(float[] actual, float[] expected) {
    if (actual == null || expected == null) {
      return actual == expected ? 0 : Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int index = 0; index < actual.length; index++) {
      max = Math.max(max, Math.abs(actual[index] - expected[index]));
    }
    return max;
  }

  private static void log(Report report) {
    for (CaseResult result : report.cases()) {
      if (result.passed()) {
        LOG.info(
            "Self-check case {} passed: engagement off by {} (tensors) and {} (raw), pixels by {}",
            result.name(),
            String.format("%.2e", result.tensorDifference()),
            String.format("%.2e", result.rawDifference()),
            String.format("%.2e", result.pixelDifference()));
      } else {
        LOG.error("Self-check case {} FAILED: {}", result.name(), result.problems());
      }
    }
  }
}
