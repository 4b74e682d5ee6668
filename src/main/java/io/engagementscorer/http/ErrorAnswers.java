package io.engagementscorer.http;

import io.javalin.http.Context;

/** The error answers every handler shares: a status and an {@link ErrorBody}. */
final class ErrorAnswers {
  private ErrorAnswers() {}

  static void send(Context ctx, int status, String error, String detail) {
    ctx.status(status).json(new ErrorBody(error, detail));
  }

  /** 503 with {@code Retry-After}: the caller should come back in a moment. */
  static void unavailable(Context ctx, int retryAfterSeconds, String detail) {
    ctx.header("Retry-After", Integer.toString(retryAfterSeconds));
    send(ctx, 503, "unavailable", detail);
  }
}
