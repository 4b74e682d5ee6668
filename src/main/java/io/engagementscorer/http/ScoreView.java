package io.engagementscorer.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.engagementscorer.scoring.Score;

/**
 * A post's latest score, as {@code GET /api/v1/scores/{postId}} shows it (snake_case in JSON): the
 * score's fields unwrapped between the post and where and when it was scored.
 *
 * @param postId the post
 * @param score the score, its fields written in place
 * @param scoredAt when it was scored (ISO-8601)
 * @param postVersion the version of the post state that was scored
 * @param servedBy the instance whose store answered
 */
public record ScoreView(
    String postId,
    @JsonUnwrapped Score score,
    String scoredAt,
    long postVersion,
    String servedBy) {}
