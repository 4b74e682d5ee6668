package io.engagementscorer.scoring;

import io.engagementscorer.model.BundleManifest;
import java.util.List;

/**
 * Turns per-comment sentiment logits into the post's sentiment features and score, exactly as the
 * manifest defines them: features are the mean of the comments' softmax probabilities, the score is
 * the features weighted by each label's value; no comments give the manifest's neutral values.
 */
public final class SentimentAggregator {
  private final float[] emptyFeatures;
  private final double emptyScore;
  private final double[] labelValues;

  /** Aggregation as {@code sentiment} in the manifest defines it. */
  public SentimentAggregator(BundleManifest.Sentiment sentiment) {
    this.emptyFeatures = sentiment.features().emptyFeatures().clone();
    this.emptyScore = sentiment.score().emptyScore();
    this.labelValues = sentiment.score().labelValues().clone();
  }

  /** Features and score of a post whose comments gave {@code logits} (one row per comment). */
  public Summary summarize(List<float[]> logits) {
    if (logits.isEmpty()) {
      return new Summary(emptyFeatures.clone(), emptyScore);
    }
    double[] sums = new double[labelValues.length];
    for (float[] row : logits) {
      double[] probabilities = softmax(row);
      for (int label = 0; label < sums.length; label++) {
        sums[label] += probabilities[label];
      }
    }
    float[] features = new float[sums.length];
    double score = 0;
    for (int label = 0; label < sums.length; label++) {
      double mean = sums[label] / logits.size();
      features[label] = (float) mean;
      score += mean * labelValues[label];
    }
    return new Summary(features, score);
  }

  private static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float logit : logits) {
      max = Math.max(max, logit);
    }
    double[] exp = new double[logits.length];
    double total = 0;
    for (int index = 0; index < logits.length; index++) {
      exp[index] = Math.exp(logits[index] - max);
      total += exp[index];
    }
    for (int index = 0; index < exp.length; index++) {
      exp[index] /= total;
    }
    return exp;
  }

  /**
   * A post's sentiment.
   *
   * @param features the regressor's sentiment input
   * @param score sentiment in [0, 1]
   */
  public record Summary(float[] features, double score) {}
}
