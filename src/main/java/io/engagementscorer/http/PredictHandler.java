package io.engagementscorer.http;

import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.Score;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/predict}: reads the body within the size cap, hands the post to the scorer,
 * and answers asynchronously when its batch is done, so no server thread waits on inference.
 */
final class PredictHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PredictHandler.class);

  private final EngagementScorer scorer;
  private final PredictRequestParser parser;
  private final long maxRequestBytes;
  private final int retryAfterSeconds;

  PredictHandler(
      EngagementScorer scorer,
      PredictRequestParser parser,
      long maxRequestBytes,
      int retryAfterSeconds) {
    this.scorer = scorer;
    this.parser = parser;
    this.maxRequestBytes = maxRequestBytes;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  void handle(Context ctx) {
    CompletableFuture<EngagementPrediction> prediction;
    try {
      prediction = scorer.score(parser.parse(readBody(ctx)));
    } catch (InvalidInputException e) {
      throw new ApiException(e.problem().httpStatus(), e.problem().code(), e.getMessage());
    }
    ctx.future(
        () ->
            prediction.handle(
                (result, failure) -> {
                  if (failure == null) {
                    ctx.json(responseBody(result));
                  } else {
                    answerFailure(ctx, failure);
                  }
                  return null;
                }));
  }

  /**
   * What a scored post answers: its score, whose first three fields are the original service's
   * (snake_case in JSON); the features it was computed from stay inside.
   */
  static Score responseBody(EngagementPrediction prediction) {
    return prediction.score();
  }

  private byte[] readBody(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > maxRequestBytes) {
      throw tooLarge(declared);
    }
    try (InputStream body = ctx.req().getInputStream()) {
      byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
      if (bytes.length > maxRequestBytes) {
        throw tooLarge(bytes.length);
      }
      return bytes;
    } catch (IOException e) {
      throw new ApiException(400, "unreadable_body", "The body could not be read: " + e);
    }
  }

  private ApiException tooLarge(long bytes) {
    return new ApiException(
        413,
        "body_too_large",
        "The body has "
            + (bytes > maxRequestBytes ? "more than " + maxRequestBytes : bytes)
            + " bytes; the limit is "
            + maxRequestBytes
            + " (MAX_REQUEST_BYTES)");
  }

  private void answerFailure(Context ctx, Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    if (cause instanceof ScoringUnavailableException || cause instanceof TimeoutException) {
      String detail =
          cause instanceof TimeoutException ? "scoring timed out under load" : cause.getMessage();
      ErrorAnswers.unavailable(ctx, retryAfterSeconds, detail);
    } else if (cause instanceof InvalidInputException invalid) {
      ErrorAnswers.send(
          ctx, invalid.problem().httpStatus(), invalid.problem().code(), invalid.getMessage());
    } else {
      LOG.error("Scoring failed", cause);
      ErrorAnswers.send(ctx, 500, "scoring_failed", "The model failed on this post: " + cause);
    }
  }
}
