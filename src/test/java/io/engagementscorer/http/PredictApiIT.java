package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP API through a real client against the service on a random loopback port. */
class PredictApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Application application;
  private static String base;

  static Map<String, String> testEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("MODEL_DIR", "models/tiny");
    env.put("MAX_TEXT_LENGTH_REQUEST", "500");
    env.put("MAX_COMMENTS", "5");
    env.put("MAX_REQUEST_BYTES", "200000");
    env.put("MAX_IMAGE_BYTES", "100000");
    env.put("MAX_IMAGE_PIXELS", "250000");
    env.put("BATCH_MAX_DELAY_MS", "20");
    return env;
  }

  @BeforeAll
  static void startService() {
    application = Application.start(ServiceConfig.fromEnv(testEnvironment()));
    base = "http://127.0.0.1:" + application.port();
  }

  @AfterAll
  static void stopService() {
    application.close();
  }

  @Test
  void shouldScoreTheDesignExampleLikeTheOriginalService() throws Exception {
    HttpResponse<String> response =
        post(
            "{\"raw_text\": \"Check out this amazing sunset! #beautiful #nature\","
                + " \"image_base64\": \""
                + pngBase64(64, 48)
                + "\", \"comments\": [\"Wow, so beautiful!\", \"Amazing shot!\"]}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("cleaned_text").asText())
        .isEqualTo("check out this amazing sunset beautiful nature");
    assertThat(body.get("engagement_score").asDouble()).isBetween(0.0, 1.0);
    assertThat(body.get("sentiment_score").asDouble()).isBetween(0.0, 1.0);
    assertThat(body.get("comment_count").asInt()).isEqualTo(2);
    assertThat(body.get("model_version").asText()).isNotBlank();
  }

  @Test
  void shouldGiveTheNeutralSentimentToAPostWithoutCommentsOrImage() throws Exception {
    HttpResponse<String> response = post("{\"raw_text\": \"just text\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("sentiment_score").asDouble()).isEqualTo(0.5);
  }

  static Stream<Arguments> badRequests() throws IOException {
    String tooLong = "x".repeat(501);
    return Stream.of(
        Arguments.of("malformed JSON", "{\"raw_text\": ", 400, "malformed_json"),
        Arguments.of("not an object", "[1, 2]", 422, "invalid_request"),
        Arguments.of("raw_text missing", "{\"comments\": []}", 422, "invalid_request"),
        Arguments.of("raw_text a number", "{\"raw_text\": 5}", 422, "invalid_request"),
        Arguments.of(
            "comments not a list",
            "{\"raw_text\": \"a\", \"comments\": \"b\"}",
            422,
            "invalid_request"),
        Arguments.of(
            "a comment not a string",
            "{\"raw_text\": \"a\", \"comments\": [\"b\", 3]}",
            422,
            "invalid_request"),
        Arguments.of(
            "image_base64 a number",
            "{\"raw_text\": \"a\", \"image_base64\": 12}",
            422,
            "invalid_request"),
        Arguments.of(
            "invalid base64",
            "{\"raw_text\": \"a\", \"image_base64\": \"@@not base64@@\"}",
            422,
            "invalid_base64"),
        Arguments.of(
            "bytes that are not an image",
            "{\"raw_text\": \"a\", \"image_base64\": \""
                + Base64.getEncoder()
                    .encodeToString("hello, world".getBytes(StandardCharsets.UTF_8))
                + "\"}",
            422,
            "invalid_image"),
        Arguments.of(
            "text over MAX_TEXT_LENGTH_REQUEST",
            "{\"raw_text\": \"" + tooLong + "\"}",
            422,
            "text_too_long"),
        Arguments.of(
            "more than MAX_COMMENTS comments",
            "{\"raw_text\": \"a\", \"comments\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}",
            422,
            "too_many_comments"),
        Arguments.of(
            "an image over MAX_IMAGE_PIXELS",
            "{\"raw_text\": \"a\", \"image_base64\": \"" + pngBase64(600, 500) + "\"}",
            413,
            "image_too_large"),
        Arguments.of(
            "a body over MAX_REQUEST_BYTES",
            "{\"raw_text\": \"" + "y".repeat(250_000) + "\"}",
            413,
            "body_too_large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void shouldAnswerBadInputWithA4xxNamingTheProblem(
      String description, String body, int status, String error) throws Exception {
    HttpResponse<String> response = post(body);

    assertThat(response.statusCode()).as(description).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo(error);
    assertThat(json.get("detail").asText()).isNotBlank();
  }

  @Test
  void shouldAnswerSixtyFourConcurrentPredictionsInBatchesLargerThanOne() throws Exception {
    String body =
        "{\"raw_text\": \"concurrent #load\", \"image_base64\": \""
            + pngBase64(32, 32)
            + "\", \"comments\": [\"nice\", \"great\"]}";
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int index = 0; index < 64; index++) {
        calls.add(() -> post(body).statusCode());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> status : pool.invokeAll(calls)) {
        statuses.add(status.get());
      }
      assertThat(statuses).hasSize(64).containsOnly(200);
    } finally {
      pool.shutdownNow();
    }
    String metrics = get("/metrics").body();
    double batches =
        metricValue(
            metrics, "engagement_batcher_batch_size_count\\{batcher=\"scoring\",lane=\"http\"");
    double singleItemBatches =
        metricValue(
            metrics,
            "engagement_batcher_batch_size_bucket\\{batcher=\"scoring\",lane=\"http\",le=\"1\\.0\"");
    assertThat(singleItemBatches).as("batches of one item").isLessThan(batches);
  }

  @Test
  void shouldReportHealthWithModelAndDevice() throws Exception {
    HttpResponse<String> response = get("/api/v1/health");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode health = JSON.readTree(response.body());
    assertThat(health.get("status").asText()).isEqualTo("healthy");
    assertThat(health.get("model_loaded").asBoolean()).isTrue();
    assertThat(health.get("device").asText()).isIn("cpu", "gpu");
    assertThat(health.get("streams_state").asText()).isEqualTo("DISABLED");
    assertThat(health.get("ready").asBoolean()).isTrue();
    assertThat(health.get("reasons")).isEmpty();
  }

  @Test
  void shouldBeAliveAndReadyWithoutAStreamOnceTheModelServes() throws Exception {
    HttpResponse<String> live = get("/api/v1/health/live");
    HttpResponse<String> ready = get("/api/v1/health/ready");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(live.body()).get("alive").asBoolean()).isTrue();
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
    assertThat(JSON.readTree(ready.body()).get("reasons")).isEmpty();
    assertThat(get("/metrics").body()).contains("engagement_ready 1.0", "engagement_alive 1.0");
  }

  @Test
  void shouldDescribeTheModelItServes() throws Exception {
    JsonNode info = JSON.readTree(get("/api/v1/model-info").body());

    assertThat(info.get("version").asText()).isNotBlank();
    assertThat(info.at("/lora/rank").asInt()).isEqualTo(8);
    assertThat(info.at("/lora/alpha").asDouble()).isEqualTo(16.0);
    assertThat(info.at("/parameters/total").asLong())
        .isGreaterThan(info.at("/parameters/trainable").asLong());
    assertThat(info.at("/parameters/trainable").asLong()).isPositive();
    assertThat(info.at("/source/type").asText()).isEqualTo("local");
    assertThat(info.at("/source/path").asText()).endsWith("tiny");
    assertThat(info.at("/source/manifest_sha256").asText()).hasSize(64);
    assertThat(info.at("/self_check/passed").asBoolean()).isTrue();
    assertThat(info.at("/reloads/interval_seconds").asLong()).isZero();
    assertThat(info.at("/reloads/succeeded").asLong()).isZero();
  }

  @Test
  void shouldKeepTheAdminApiOffWithoutAToken() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + application.port() + "/api/v1/admin/reload"))
                    .header("Authorization", "Bearer anything-at-all-here")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("admin_disabled");
  }

  @Test
  void shouldServeItsOwnInteractiveDocumentation() throws Exception {
    HttpResponse<String> root = get("/");
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location")).hasValue("/docs");

    assertThat(get("/docs").body()).contains("swagger-ui");
    assertThat(get("/docs/assets/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
    JsonNode spec = JSON.readTree(get("/openapi.json").body());
    assertThat(spec.get("paths").has("/api/v1/predict")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/health")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/health/live")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/health/ready")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/scores/{postId}")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/model-info")).isTrue();
    assertThat(spec.get("paths").has("/api/v1/admin/reload")).isTrue();
  }

  @Test
  void shouldExposePrometheusMetricsForHttpBatchingInferenceAndTheJvm() throws Exception {
    post("{\"raw_text\": \"warm up the meters\", \"comments\": [\"ok\"]}");

    String metrics = get("/metrics").body();

    assertThat(metrics)
        .contains("http_server_requests_seconds_count{method=\"POST\"")
        .contains("uri=\"/api/v1/predict\"")
        .contains("engagement_batcher_queue_depth{batcher=\"scoring\",lane=\"http\"}")
        .contains("engagement_batcher_queue_time_seconds_count")
        .contains("engagement_batcher_batch_size_count")
        .contains("engagement_inference_time_seconds_count{model=\"regressor\"}")
        .contains("engagement_inference_time_seconds_count{model=\"sentiment\"}")
        .contains("engagement_items_scored_total")
        .contains("engagement_model_load_time_seconds")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void shouldAnswerUnknownPathsWithJson404() throws Exception {
    HttpResponse<String> response = get("/api/v1/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("not_found");
  }

  /** Every path the server routes for GET (so for HEAD too). */
  static Stream<String> getPaths() {
    return Stream.of(
        "/",
        "/docs",
        "/docs/swagger-initializer.js",
        "/docs/assets/swagger-ui.css",
        "/openapi.json",
        "/metrics",
        "/api/v1/health",
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/model-info",
        "/api/v1/scores/some-post");
  }

  @ParameterizedTest(name = "HEAD {0}")
  @MethodSource("getPaths")
  void shouldAnswerHeadAsGetWithoutABody(String path) throws Exception {
    HttpResponse<String> get = get(path);
    HttpResponse<String> head = send("HEAD", path);

    assertThat(head.statusCode()).as("HEAD %s", path).isEqualTo(get.statusCode());
    assertThat(head.headers().firstValue("Content-Type"))
        .isEqualTo(get.headers().firstValue("Content-Type"));
    assertThat(head.headers().firstValue("Location"))
        .isEqualTo(get.headers().firstValue("Location"));
    assertThat(head.body()).isEmpty();
  }

  @Test
  void shouldRecordHeadRequestsUnderTheirRouteTemplate() throws Exception {
    send("HEAD", "/api/v1/health");
    send("HEAD", "/api/v1/scores/one-post");
    send("HEAD", "/docs/assets/swagger-ui.css");

    // A request is recorded after its response went out: scrape until the last one is in.
    String lastRecorded =
        "http_server_requests_seconds_count{method=\"HEAD\",status=\"200\",uri=\"/docs/assets/*\"}";
    String metrics = get("/metrics").body();
    for (int attempt = 0; attempt < 50 && !metrics.contains(lastRecorded); attempt++) {
      Thread.sleep(100);
      metrics = get("/metrics").body();
    }

    assertThat(metrics)
        .contains(
            "http_server_requests_seconds_count{method=\"HEAD\",status=\"200\","
                + "uri=\"/api/v1/health\"}")
        .contains(
            "http_server_requests_seconds_count{method=\"HEAD\",status=\"503\","
                + "uri=\"/api/v1/scores/{postId}\"}")
        .contains(
            "http_server_requests_seconds_count{method=\"HEAD\",status=\"200\","
                + "uri=\"/docs/assets/*\"}")
        .doesNotContain("uri=\"/api/v1/scores/one-post\"");
  }

  static Stream<Arguments> unroutedRequests() {
    List<Arguments> requests = new ArrayList<>();
    List<String> unrouted = List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");
    for (String path : getPaths().toList()) {
      for (String method : unrouted) {
        requests.add(Arguments.of(method, path, "GET, HEAD"));
      }
    }
    for (String path : List.of("/api/v1/predict", "/api/v1/admin/reload")) {
      for (String method : concat(unrouted, List.of("GET", "HEAD"))) {
        requests.add(Arguments.of(method, path, "POST"));
      }
    }
    return requests.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unroutedRequests")
  void shouldAnswerAMethodThePathDoesNotRouteWith405AndAllow(
      String method, String path, String allowed) throws Exception {
    HttpResponse<String> response = send(method, path);

    assertThat(response.statusCode()).as("%s %s", method, path).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue(allowed);
    if (!method.equals("HEAD")) {
      JsonNode error = JSON.readTree(response.body());
      assertThat(error.get("error").asText()).isEqualTo("method_not_allowed");
      assertThat(error.get("detail").asText()).contains(method).contains(allowed);
    }
  }

  @ParameterizedTest(name = "{0} on an unknown path")
  @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"})
  void shouldAnswerEveryMethodOnAnUnknownPathWithJson404(String method) throws Exception {
    for (String path : List.of("/api/v1/nope", "/docs/nope", "/api/v1/scores/a/b")) {
      HttpResponse<String> response = send(method, path);

      assertThat(response.statusCode()).as("%s %s", method, path).isEqualTo(404);
      assertThat(response.headers().firstValue("Allow")).isEmpty();
      if (!method.equals("HEAD")) {
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("not_found");
      }
    }
  }

  @ParameterizedTest(name = "GET {0} with gzip")
  @MethodSource("getPaths")
  void shouldAnswerAClientThatAcceptsGzipAsOneThatDoesNot(String path) throws Exception {
    HttpResponse<byte[]> plain = getBytes(path, "identity");
    HttpResponse<byte[]> gzip = getBytes(path, "gzip");

    assertThat(gzip.statusCode()).as("GET %s", path).isEqualTo(plain.statusCode());
    if (!path.equals("/metrics")) {
      assertThat(decoded(gzip)).as("GET %s", path).isEqualTo(plain.body());
    }
  }

  /** Requests that Jetty refuses before any route runs: their head, what status and code. */
  static Stream<Arguments> requestsJettyRefuses() {
    return Stream.of(
        Arguments.of(
            "a % not followed by two hex digits",
            "GET /api/v1/scores/%zz HTTP/1.1\r\nHost: localhost\r\n", 400, "bad_request"),
        Arguments.of("no Host header", "GET /api/v1/health HTTP/1.1\r\n", 400, "bad_request"),
        Arguments.of(
            "the asterisk target", "GET * HTTP/1.1\r\nHost: localhost\r\n", 400, "bad_request"),
        Arguments.of(
            "a URI over Jetty's 8 KiB header buffer",
            "GET /api/v1/scores/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n",
            414,
            "uri_too_long"),
        Arguments.of(
            "headers over Jetty's 8 KiB header buffer",
            "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(10_000)
                + "\r\n",
            431,
            "headers_too_large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestsJettyRefuses")
  void shouldAnswerARequestJettyRefusesWithTheJsonErrorBody(
      String description, String head, int status, String error) throws IOException {
    RawResponse response = sendRaw(head + "Connection: close\r\n\r\n");

    assertThat(response.status()).as(description).isEqualTo(status);
    assertThat(response.headers().get("content-type")).startsWith("application/json");
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo(error);
    assertThat(json.get("detail").asText()).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})
  void shouldServeTheDocsAssetsGzippedToClientsThatAcceptIt(String asset) throws Exception {
    byte[] original;
    try (InputStream in =
        PredictApiIT.class.getResourceAsStream(
            "/META-INF/resources/webjars/swagger-ui/5.27.1/" + asset)) {
      original = in.readAllBytes();
    }

    HttpResponse<byte[]> response = getBytes("/docs/assets/" + asset, "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(decoded(response)).isEqualTo(original);
  }

  static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  static HttpResponse<String> send(String method, String path)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> getBytes(String path, String acceptEncoding)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Accept-Encoding", acceptEncoding)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] decoded(HttpResponse<byte[]> response) throws IOException {
    if (!response.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
      return response.body();
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
      return in.readAllBytes();
    }
  }

  /** A response read off the wire: status, headers by lower-case name, and body. */
  record RawResponse(int status, Map<String, String> headers, String body) {}

  /**
   * Sends bytes no HTTP client would (a malformed request line, an oversized head) and reads the
   * answer until the server closes the connection.
   */
  static RawResponse sendRaw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", application.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int headEnd = answer.indexOf("\r\n\r\n");
      List<String> head = answer.substring(0, headEnd).lines().toList();
      Map<String, String> headers = new HashMap<>();
      for (String line : head.subList(1, head.size())) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
      // "HTTP/1.1 414 URI Too Long": the status is the second word.
      int status = Integer.parseInt(head.get(0).substring("HTTP/1.1 ".length()).substring(0, 3));
      return new RawResponse(status, headers, answer.substring(headEnd + 4));
    }
  }

  static HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/predict"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double metricValue(String metrics, String seriesPrefix) {
    Matcher matcher = Pattern.compile("(?m)^" + seriesPrefix + "[^}]*} (\\S+)").matcher(metrics);
    assertThat(matcher.find()).as("series " + seriesPrefix).isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  static String pngBase64(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
