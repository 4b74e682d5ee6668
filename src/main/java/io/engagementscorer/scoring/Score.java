package io.engagementscorer.scoring;

/**
 * The score of a post: what the service says about it, whichever way it was asked. The predict
 * answer is this record as JSON; a score lookup adds which post, state and instance; the stream's
 * Avro {@code EngagementScore} adds the post and the time of scoring.
 *
 * @param engagementScore predicted engagement in [0, 1]
 * @param sentimentScore comment sentiment in [0, 1] (0.5 without comments)
 * @param cleanedText the text after cleaning
 * @param commentCount how many comments were scored
 * @param modelVersion the version of the model that produced the score
 */
public record Score(
    double engagementScore,
    double sentimentScore,
    String cleanedText,
    int commentCount,
    String modelVersion) {}
