package io.engagementscorer.http;

import io.engagementscorer.errors.ScoringUnavailableException;
import io.javalin.http.Context;

/** {@code GET /api/v1/scores/{postId}}: the latest score of a post, from the stream's store. */
final class ScoresHandler {
  private final ScoreLookup queries;

  /** A handler over {@code queries}, or null in an instance that runs no stream. */
  ScoresHandler(ScoreLookup queries) {
    this.queries = queries;
  }

  void handle(Context ctx) {
    if (queries == null) {
      throw new ScoringUnavailableException(
          "this instance runs no stream (KAFKA_BOOTSTRAP_SERVERS is not set)");
    }
    String postId = ctx.pathParam("postId");
    boolean localOnly = Boolean.parseBoolean(ctx.queryParam(ScoreLookup.LOCAL_ONLY));
    queries
        .latest(postId, localOnly)
        .ifPresentOrElse(
            ctx::json,
            () -> ErrorAnswers.send(ctx, 404, "not_found", "post " + postId + " has no score yet"));
  }
}
