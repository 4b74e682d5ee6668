package io.engagementscorer.http;

import io.engagementscorer.serving.ModelReloader;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code POST /api/v1/admin/reload}: checks the model source now and serves a new version if there
 * is one. Allowed only with {@code Authorization: Bearer <ADMIN_TOKEN>}; without a configured token
 * the endpoint is off. The answer says what happened and which version serves.
 */
final class AdminHandler {
  private static final String BEARER = "Bearer ";

  private final ModelReloader reloader;
  private final byte[] token;

  /** A handler guarded by {@code token}, or disabled when it is null. */
  AdminHandler(ModelReloader reloader, String token) {
    this.reloader = reloader;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  void reload(Context ctx) {
    authorize(ctx);
    ModelReloader.Result result = reloader.reloadNow();
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
