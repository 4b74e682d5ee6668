package io.engagementscorer.scoring;

import io.engagementscorer.model.BundleManifest;
import java.util.List;

/**
 * Turns per-comment sentiment probabilities into the post's sentiment features and score, exactly
 * as the manifest defines them: features are the mean of the comments' softmax probabilities, the
 * score is the features weighted by each label's value; no comments give the manifest's neutral
 * values. A comment's probabilities are computed once ({@link #probabilities}) and kept as float,
 * so a post scored from kept probabilities gets exactly the score of one scored from scratch.
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

  /**
   * Features and score of a post whose comments have {@code probabilities} (one row per comment,
   * from {@link #probabilities}).
   */
  public Summary summarize(List<float[]> probabilities) {
    if (probabilities.isEmpty()) {
      return new Summary(emptyFeatures.clone(), emptyScore);
    }
    double[] sums = new double[labelValues.length];
    for (float[] row : probabilities) {
      for (int label = 0; label < sums.length; label++) {
        sums[label] += row[label];
      }
    }
    float[] features = new float[sums.length];
    double score = 0;
    for (int label = 0; label < sums.length; label++) {
      double mean = sums[label] / probabilities.size();
      features[label] = (float) mean;
      score += mean * labelValues[label];
    }
    return new Summary(features, score);
  }

  /** One comment's class probabilities: the softmax of its logits, computed in double. */
  public static float[] probabilities(float[] logits) {
    double[] softmax = softmax(logits);
    float[] probabilities = new float[softmax.length];
    for (int label = 0; label < softmax.length; label++) {
      probabilities[label] = (float) softmax[label];
    }
    return probabilities;
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
