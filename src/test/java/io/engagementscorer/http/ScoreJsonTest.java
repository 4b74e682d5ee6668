package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.Score;
import io.engagementscorer.stream.LatestScoresQuery.Instance;
import io.javalin.json.JavalinJackson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The exact JSON of a predict answer and of a score lookup, byte for byte: field names, their
 * order, how numbers and text are written. Written with the mapper ({@link ApiJson}) {@code
 * ApiServer} gives Javalin (snake_case, {@link JavalinJackson} without virtual threads), the one
 * {@code ScoreLookup} also reads other instances' answers with; a change to how a score is modelled
 * must leave it alone.
 */
class ScoreJsonTest {
  private static final ObjectMapper MAPPER = ApiJson.mapper();
  private static final JavalinJackson WIRE = new JavalinJackson(MAPPER, false);

  private static String json(Object body) {
    return WIRE.toJsonString(body, body.getClass());
  }

  @Test
  void shouldAnswerAPredictionWithTheOriginalFieldsFirst() {
    EngagementPrediction prediction =
        new EngagementPrediction(
            new Score(0.1 + 0.2, 0.5, "check out this \"sunset\" café", 3, "tiny-1"), null);

    assertThat(json(PredictHandler.responseBody(prediction)))
        .isEqualTo(
            "{\"engagement_score\":0.30000000000000004,\"sentiment_score\":0.5,"
                + "\"cleaned_text\":\"check out this \\\"sunset\\\" café\",\"comment_count\":3,"
                + "\"model_version\":\"tiny-1\"}");
  }

  @Test
  void shouldWriteSmallAndWholeScoresAsJacksonDoes() {
    EngagementPrediction prediction =
        new EngagementPrediction(new Score(1.0E-5, 1.0, "", 0, "v2"), null);

    assertThat(json(PredictHandler.responseBody(prediction)))
        .isEqualTo(
            "{\"engagement_score\":1.0E-5,\"sentiment_score\":1.0,\"cleaned_text\":\"\","
                + "\"comment_count\":0,\"model_version\":\"v2\"}");
  }

  @Test
  void shouldAnswerAScoreLookupWithThePostThenTheScoreThenWhereItCameFrom() {
    ScoreView view = ScoreLookup.view(storedScore(), new Instance("scorer-2", 8001));

    assertThat(json(view)).isEqualTo(LOOKUP_JSON);
  }

  @Test
  void shouldRelayAnotherInstancesAnswerUnchanged() throws Exception {
    ScoreView relayed = MAPPER.readValue(LOOKUP_JSON, ScoreView.class);

    assertThat(json(relayed)).isEqualTo(LOOKUP_JSON);
  }

  private static final String LOOKUP_JSON =
      "{\"post_id\":\"post-7\",\"engagement_score\":0.5447,\"sentiment_score\":0.25,"
          + "\"cleaned_text\":\"невероятный закат\",\"comment_count\":12,"
          + "\"model_version\":\"tiny-1\",\"scored_at\":\"2026-03-01T12:34:56.789Z\","
          + "\"post_version\":9007199254740993,\"served_by\":\"scorer-2:8001\"}";

  private static EngagementScore storedScore() {
    return EngagementScore.newBuilder()
        .setPostId("post-7")
        .setEngagementScore(0.5447)
        .setSentimentScore(0.25)
        .setCleanedText("невероятный закат")
        .setCommentCount(12)
        .setModelVersion("tiny-1")
        .setScoredAt(Instant.parse("2026-03-01T12:34:56.789Z"))
        .setPostVersion(9_007_199_254_740_993L)
        .build();
  }
}
