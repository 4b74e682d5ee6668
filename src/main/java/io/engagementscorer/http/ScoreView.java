package io.engagementscorer.http;

/**
 * A post's latest score, as {@code GET /api/v1/scores/{postId}} shows it (snake_case in JSON).
 *
 * @param postId the post
 * @param engagementScore predicted engagement in [0, 1]
 * @param sentimentScore comment sentiment in [0, 1]
 * @param cleanedText the text after cleaning
 * @param commentCount comments scored
 * @param modelVersion the model that scored it
 * @param scoredAt when it was scored (ISO-8601)
 * @param postVersion the version of the post state that was scored
 * @param servedBy the instance whose store answered
 */
public record ScoreView(
    String postId,
    double engagementScore,
    double sentimentScore,
    String cleanedText,
    int commentCount,
    String modelVersion,
    String scoredAt,
    long postVersion,
    String servedBy) {}
