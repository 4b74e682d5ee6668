package io.engagementscorer.stream;

import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.scoring.Score;
import java.time.Instant;

/**
 * A {@link Score} as the stream keeps and publishes it: the Avro {@link EngagementScore} of the
 * output topic and the {@code latest-scores} store, which adds the post, the time of scoring and
 * the post state's version.
 */
public final class ScoreRecords {
  private ScoreRecords() {}

  /** The record of {@code score} for version {@code postVersion} of {@code postId}'s state. */
  public static EngagementScore toAvro(
      String postId, Score score, Instant scoredAt, long postVersion) {
    return EngagementScore.newBuilder()
        .setPostId(postId)
        .setEngagementScore(score.engagementScore())
        .setSentimentScore(score.sentimentScore())
        .setCleanedText(score.cleanedText())
        .setCommentCount(score.commentCount())
        .setModelVersion(score.modelVersion())
        .setScoredAt(scoredAt)
        .setPostVersion(postVersion)
        .build();
  }

  /**
   * The candidate topic's record of {@code candidate}'s score of version {@code postVersion} of
   * {@code postId}, beside the {@code served} score of the same state.
   */
  public static CandidateScore toCandidate(
      String postId, Score candidate, Instant scoredAt, long postVersion, Score served) {
    return CandidateScore.newBuilder()
        .setPostId(postId)
        .setEngagementScore(candidate.engagementScore())
        .setSentimentScore(candidate.sentimentScore())
        .setCleanedText(candidate.cleanedText())
        .setCommentCount(candidate.commentCount())
        .setModelVersion(candidate.modelVersion())
        .setScoredAt(scoredAt)
        .setPostVersion(postVersion)
        .setServedModelVersion(served.modelVersion())
        .setServedEngagementScore(served.engagementScore())
        .build();
  }

  /** The score a record holds. */
  public static Score scoreOf(EngagementScore record) {
    return new Score(
        record.getEngagementScore(),
        record.getSentimentScore(),
        record.getCleanedText(),
        record.getCommentCount(),
        record.getModelVersion());
  }
}
