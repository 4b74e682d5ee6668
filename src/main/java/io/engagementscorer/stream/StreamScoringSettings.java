package io.engagementscorer.stream;

import java.time.Duration;

/**
 * How the topology batches posts for scoring.
 *
 * @param batchMaxSize pending posts that trigger scoring at once
 * @param batchMaxDelay how often pending posts are scored, at the latest
 * @param scoringTimeout longest a punctuation waits for its scores; unscored posts stay pending
 * @param maxComments comments kept per post
 */
public record StreamScoringSettings(
    int batchMaxSize, Duration batchMaxDelay, Duration scoringTimeout, int maxComments) {}
