package io.engagementscorer.stream;

import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.CommentSentiment;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEncoding;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.avro.RescorePass;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value formats the topology reads and writes.
 *
 * @param postEvents decodes input values (Avro in the Confluent wire format, or JSON)
 * @param postStates the post-state store's values
 * @param postEncodings the post-encodings store's values
 * @param commentSentiments the comment-sentiment store's values
 * @param storedScores the latest-scores store's values
 * @param outputScores the output topic's values
 * @param candidateScores the candidate topic's values
 * @param rescorePasses the rescore-progress store's values
 */
public record StreamSerdes(
    Deserializer<PostEvent> postEvents,
    Serde<PostState> postStates,
    Serde<PostEncoding> postEncodings,
    Serde<CommentSentiment> commentSentiments,
    Serde<EngagementScore> storedScores,
    Serde<EngagementScore> outputScores,
    Serde<CandidateScore> candidateScores,
    Serde<RescorePass> rescorePasses) {}
