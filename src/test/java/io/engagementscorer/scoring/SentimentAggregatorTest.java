package io.engagementscorer.scoring;

import static io.engagementscorer.scoring.SentimentAggregator.probabilities;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engagementscorer.model.BundleManifest;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentimentAggregatorTest {
  private static final double TOLERANCE = 1e-6;

  private final SentimentAggregator aggregator =
      new SentimentAggregator(
          new BundleManifest.Sentiment(
              "sentiment_tokenizer.json",
              128,
              "longest",
              new BundleManifest.SpecialTokens(new long[] {2}, new long[] {3}, 0),
              List.of("very negative", "negative", "neutral", "positive", "very positive"),
              new BundleManifest.Features("mean_softmax", 5, new float[] {0, 0, 1, 0, 0}),
              new BundleManifest.Score(
                  "expected_label_value", new double[] {0, 0.25, 0.5, 0.75, 1}, 0.5)));

  @Test
  void shouldGiveTheManifestsNeutralValuesWithoutComments() {
    SentimentAggregator.Summary summary = aggregator.summarize(List.of());

    assertThat(summary.features()).containsExactly(0, 0, 1, 0, 0);
    assertThat(summary.score()).isEqualTo(0.5);
  }

  @Test
  void shouldScoreAClearlyVeryPositiveCommentNearOne() {
    SentimentAggregator.Summary summary =
        aggregator.summarize(List.of(probabilities(new float[] {-20, -20, -20, -20, 20})));

    assertThat(summary.score()).isCloseTo(1.0, within(1e-6));
    assertThat(summary.features()[4]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void shouldAverageTheCommentsSoftmaxProbabilities() {
    float[] uniform = {0, 0, 0, 0, 0};
    float[] veryNegative = {30, 0, 0, 0, 0};

    SentimentAggregator.Summary summary =
        aggregator.summarize(List.of(probabilities(uniform), probabilities(veryNegative)));

    // uniform: 0.2 each; very negative: ~1 on label 0. Mean: 0.6, 0.1, 0.1, 0.1, 0.1.
    assertThat(summary.features()[0]).isCloseTo(0.6f, within((float) TOLERANCE));
    assertThat(summary.features()[4]).isCloseTo(0.1f, within((float) TOLERANCE));
    assertThat(summary.score()).isCloseTo(0.1 * (0.25 + 0.5 + 0.75 + 1), within(TOLERANCE));
  }

  @Test
  void shouldStayFiniteForExtremeLogits() {
    SentimentAggregator.Summary summary =
        aggregator.summarize(List.of(probabilities(new float[] {1e30f, -1e30f, 0, 0, 0})));

    assertThat(summary.score()).isCloseTo(0.0, within(TOLERANCE));
  }
}
