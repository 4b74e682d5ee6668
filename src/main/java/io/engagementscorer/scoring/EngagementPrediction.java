package io.engagementscorer.scoring;

/**
 * What scoring a post gives.
 *
 * @param engagementScore predicted engagement in [0, 1]
 * @param sentimentScore comment sentiment in [0, 1] (0.5 without comments)
 * @param cleanedText the text after cleaning
 * @param commentCount how many comments were scored
 * @param modelVersion the version of the model that produced the score
 * @param features what the score was computed from, for reuse on the post's next change
 */
public record EngagementPrediction(
    double engagementScore,
    double sentimentScore,
    String cleanedText,
    int commentCount,
    String modelVersion,
    PostFeatures features) {}
