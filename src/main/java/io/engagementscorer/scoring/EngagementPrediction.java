package io.engagementscorer.scoring;

/**
 * What scoring a post gives.
 *
 * @param engagementScore predicted engagement in [0, 1]
 * @param sentimentScore comment sentiment in [0, 1] (0.5 without comments)
 * @param cleanedText the text after cleaning
 * @param commentCount how many comments were scored
 * @param modelVersion the version of the model that produced the score
 */
public record EngagementPrediction(
    double engagementScore,
    double sentimentScore,
    String cleanedText,
    int commentCount,
    String modelVersion) {}
