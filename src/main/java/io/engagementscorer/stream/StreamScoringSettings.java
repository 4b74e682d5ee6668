package io.engagementscorer.stream;

import java.time.Duration;

/**
 * How the topology batches posts for scoring.
 *
 * @param batchMaxSize pending posts that trigger scoring at once
 * @param batchMaxDelay how often pending posts are scored, at the latest
 * @param maxInFlight posts this instance's tasks together may have submitted and not yet collected
 * @param maxComments comments kept per post
 */
public record StreamScoringSettings(
    int batchMaxSize, Duration batchMaxDelay, int maxInFlight, int maxComments) {}
