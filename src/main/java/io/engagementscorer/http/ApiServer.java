package io.engagementscorer.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.serving.ModelRollout;
import io.engagementscorer.stream.LatestScoresQuery;
import io.engagementscorer.stream.StreamsStatus;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP sidecar: routes, error mapping, documentation and metrics over one {@link
 * EngagementScorer}. Tests start it on port 0 and call it with a real client.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final String SWAGGER_UI = "/META-INF/resources/webjars/swagger-ui/5.27.1";
  private static final String DOCS_ASSETS = "/docs/assets";
  // The metrics label of requests for paths that no route has.
  private static final String NOT_FOUND = "NOT_FOUND";

  /** Body and scorer limits the server enforces. */
  public record Limits(long maxRequestBytes, long maxImageBytes, int retryAfterSeconds) {}

  private final Javalin app;
  private final RouteTable routes = new RouteTable();

  /**
   * Builds the server; {@link #start} binds it.
   *
   * @param rollout the served and candidate models, behind {@code model-info} and the admin API
   * @param adminToken the admin API's bearer token, or null to turn the admin API off
   * @param scores interactive queries of the stream's scores, or null when this instance runs none
   */
  public ApiServer(
      EngagementScorer scorer,
      ModelRollout rollout,
      String adminToken,
      StreamsStatus streams,
      LatestScoresQuery scores,
      PrometheusMeterRegistry registry,
      Limits limits) {
    ObjectMapper mapper = ApiJson.mapper();
    PredictHandler predict =
        new PredictHandler(
            scorer,
            new PredictRequestParser(mapper, limits.maxImageBytes()),
            limits.maxRequestBytes(),
            limits.retryAfterSeconds());
    HealthChecks checks = new HealthChecks(scorer, streams);
    checks.bindTo(registry);
    StatusHandlers status = new StatusHandlers(scorer, rollout, streams, checks);
    byte[] openApi = resource("/openapi.json");
    byte[] docsPage = resource("/docs/index.html");
    byte[] docsInitializer = resource("/docs/swagger-initializer.js");
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(mapper, false));
              config.http.maxRequestSize = limits.maxRequestBytes();
              JsonErrorHandler jettyErrors = new JsonErrorHandler(mapper);
              config.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
              config.staticFiles.add(
                  files -> {
                    files.hostedPath = DOCS_ASSETS;
                    files.directory = SWAGGER_UI;
                    files.location = Location.CLASSPATH;
                  });
              config.requestLogger.http(
                  (ctx, millis) -> recordRequest(registry, ctx, millis.doubleValue()));
            });
    routes.allow(DOCS_ASSETS + "/*", "GET", "HEAD");
    post("/api/v1/predict", predict::handle);
    get("/api/v1/health", status::health);
    get("/api/v1/health/live", status::live);
    get("/api/v1/health/ready", status::ready);
    get("/api/v1/model-info", status::modelInfo);
    get(
        "/api/v1/scores/{postId}",
        new ScoresHandler(scores == null ? null : new ScoreLookup(scores))::handle);
    AdminHandler admin = new AdminHandler(rollout, adminToken);
    post("/api/v1/admin/reload", admin::reload);
    post("/api/v1/admin/candidate/reload", admin::reloadCandidate);
    post("/api/v1/admin/candidate/promote", admin::promote);
    post("/api/v1/admin/candidate/drop", admin::drop);
    get("/", ctx -> ctx.redirect("/docs", HttpStatus.FOUND));
    get("/docs", ctx -> ctx.contentType(ContentType.TEXT_HTML).result(docsPage));
    get(
        "/docs/swagger-initializer.js",
        ctx -> ctx.contentType(ContentType.JAVASCRIPT).result(docsInitializer));
    get("/openapi.json", ctx -> ctx.contentType(ContentType.JSON).result(openApi));
    get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    app.exception(
        ApiException.class,
        (e, ctx) -> ErrorAnswers.send(ctx, e.status(), e.error(), e.getMessage()));
    app.exception(
        ScoringUnavailableException.class,
        (e, ctx) -> ErrorAnswers.unavailable(ctx, limits.retryAfterSeconds(), e.getMessage()));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
          ErrorAnswers.send(ctx, 500, "internal_error", "Unexpected failure: " + e);
        });
    app.error(404, this::answerUnrouted);
  }

  /**
   * A GET route answers HEAD with the same handler: the same status and headers, and Jetty leaves
   * the body out. (Javalin's own HEAD fallback answers 200 without running the GET handler.)
   */
  private void get(String path, Handler handler) {
    app.get(path, handler);
    app.head(path, handler);
    routes.allow(path, "GET", "HEAD");
  }

  private void post(String path, Handler handler) {
    app.post(path, handler);
    routes.allow(path, "POST");
  }

  /**
   * Javalin answers 404 both when no route has the path and when no route of the path has the
   * method; the second is a 405 naming the allowed methods in {@code Allow}. A 404 that an endpoint
   * answered itself (a post without a score) keeps its own body.
   */
  private void answerUnrouted(Context ctx) {
    if (ctx.handlerType() != HandlerType.BEFORE) {
      return;
    }
    Set<String> allowed = routes.allowedMethods(ctx.path());
    String method = ctx.req().getMethod();
    if (allowed.isEmpty() || allowed.contains(method)) {
      ErrorAnswers.send(ctx, 404, "not_found", "No such endpoint: " + ctx.path());
      return;
    }
    String allow = String.join(", ", allowed);
    ctx.header(Header.ALLOW, allow);
    ErrorAnswers.send(
        ctx,
        405,
        "method_not_allowed",
        method + " is not allowed on " + ctx.path() + " (allowed: " + allow + ")");
  }

  private void recordRequest(PrometheusMeterRegistry registry, Context ctx, double millis) {
    Timer.builder("http.server.requests")
        .description("HTTP requests by route and status")
        .tag("method", ctx.method().name())
        .tag("uri", routeOf(ctx))
        .tag("status", Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(registry)
        .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * The route template, not the raw path, so that metrics stay bounded whatever clients call. When
   * no endpoint ran (a static file, a 404 or 405 for an unrouted request) Javalin has no endpoint
   * path, and asking for it throws: the route table names the template instead.
   */
  private String routeOf(Context ctx) {
    if (ctx.handlerType() != HandlerType.BEFORE) {
      return ctx.endpointHandlerPath();
    }
    return routes.templateOf(ctx.path()).orElse(NOT_FOUND);
  }

  private static byte[] resource(String path) {
    try (InputStream in = ApiServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The routes this server registered, as its 405s and metrics labels see them. */
  RouteTable routes() {
    return routes;
  }

  /** Binds {@code host:port} (port 0 picks a free one) and starts serving. */
  public ApiServer start(String host, int port) {
    app.start(host, port);
    return this;
  }

  /** The bound port. */
  public int port() {
    return app.port();
  }

  /** Stops serving. */
  @Override
  public void close() {
    app.stop();
  }
}
