package io.engagementscorer.scoring;

/**
 * What scoring a post gives: its score, and what the score was computed from.
 *
 * @param score the score
 * @param features what the score was computed from, for reuse on the post's next change
 */
public record EngagementPrediction(Score score, PostFeatures features) {}
