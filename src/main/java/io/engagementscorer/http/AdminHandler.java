package io.engagementscorer.http;

import io.engagementscorer.serving.ModelReloader;
import io.engagementscorer.serving.ModelRollout;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin API, allowed only with {@code Authorization: Bearer <ADMIN_TOKEN>} (without a
 * configured token it is off). {@code POST /api/v1/admin/reload} checks the model source now and
 * serves a new version if there is one; {@code /api/v1/admin/candidate/reload} does the same for
 * the candidate; {@code /candidate/promote} makes the candidate the served model and {@code
 * /candidate/drop} stops it. Each answer says what happened and which versions serve.
 */
final class AdminHandler {
  private static final String BEARER = "Bearer ";

  private final ModelRollout rollout;
  private final byte[] token;

  /** A handler guarded by {@code token}, or disabled when it is null. */
  AdminHandler(ModelRollout rollout, String token) {
    this.rollout = rollout;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  void reload(Context ctx) {
    authorize(ctx);
    answer(ctx, rollout.servedReloader().reloadNow());
  }

  void reloadCandidate(Context ctx) {
    authorize(ctx);
    ModelReloader candidate =
        rollout
            .candidateReloader()
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "no_candidate_source",
                        "No candidate source is configured: set CANDIDATE_MODEL_DIR or"
                            + " CANDIDATE_S3_MODEL_KEY"));
    answer(ctx, candidate.reloadNow());
  }

  void promote(Context ctx) {
    authorize(ctx);
    decide(ctx, rollout.promote());
  }

  void drop(Context ctx) {
    authorize(ctx);
    decide(ctx, rollout.drop());
  }

  private static void decide(Context ctx, ModelRollout.Decision decision) {
    ctx.status(decision.outcome() == ModelRollout.Outcome.NO_CANDIDATE ? 409 : 200).json(decision);
  }

  private static void answer(Context ctx, ModelReloader.Result result) {
    int status =
        switch (result.outcome()) {
          case RELOADED, UNCHANGED -> 200;
          case REJECTED -> 422;
          case UNAVAILABLE -> 502;
          case BUSY -> 409;
        };
    ctx.status(status).json(result);
  }

  private void authorize(Context ctx) {
    if (token == null) {
      throw new ApiException(
          403, "admin_disabled", "The admin API is off: set ADMIN_TOKEN to enable it");
    }
    String header = ctx.header("Authorization");
    byte[] given =
        header != null && header.startsWith(BEARER)
            ? header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    // Constant-time, so response timing says nothing about how much of a guess was right.
    if (!MessageDigest.isEqual(given, token)) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(
          401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN> to use the admin API");
    }
  }
}
