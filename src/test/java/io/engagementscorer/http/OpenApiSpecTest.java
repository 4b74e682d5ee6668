package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written API spec ({@code src/main/resources/openapi.json}) follows the code: its paths
 * and methods are the routes {@link ApiServer} registers in its {@link RouteTable}, and every error
 * it documents says what body comes with it. The server is built, never started: no socket opens.
 */
class OpenApiSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** Routes that serve the documentation itself, not the API the spec describes. */
  private static final Set<String> DOCUMENTATION_ROUTES =
      Set.of("/", "/docs", "/docs/swagger-initializer.js", "/docs/assets/*", "/openapi.json");

  private static JsonNode spec() throws IOException {
    try (InputStream in = OpenApiSpecTest.class.getResourceAsStream("/openapi.json")) {
      return JSON.readTree(in);
    }
  }

  /**
   * The registered routes as "METHOD template", HEAD left out: every GET route answers HEAD with
   * the same handler, which {@link #shouldAnswerHeadOnEveryGetRoute} checks.
   */
  private static Map<String, Set<String>> registeredRoutes() {
    // Only the routes are read: nothing here calls the scorer, the reloader or the stream.
    ApiServer server =
        new ApiServer(
            null,
            null,
            null,
            null,
            null,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            new ApiServer.Limits(1 << 20, 1 << 20, 1));
    return server.routes().templates();
  }

  @Test
  void shouldDocumentExactlyTheOperationsTheServerRegisters() throws IOException {
    Set<String> registered = new TreeSet<>();
    registeredRoutes()
        .forEach(
            (template, methods) -> {
              if (!DOCUMENTATION_ROUTES.contains(template)) {
                methods.stream()
                    .filter(method -> !method.equals("HEAD"))
                    .forEach(method -> registered.add(method + " " + template));
              }
            });
    Set<String> documented = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : spec().get("paths").properties()) {
      for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
        if (HTTP_METHODS.contains(operation.getKey())) {
          documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }

    assertThat(documented).as("operations in openapi.json").isEqualTo(registered);
  }

  @Test
  void shouldAnswerHeadOnEveryGetRoute() {
    registeredRoutes()
        .forEach(
            (template, methods) -> {
              if (methods.contains("GET")) {
                assertThat(methods).as(template).contains("HEAD");
              }
            });
  }

  /** The original service takes null for every optional field, and so does the parser. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"image_base64", "comments"})
  void shouldDeclareNullableEveryOptionalPredictFieldThatTheParserTakesAsNull(String field)
      throws IOException {
    PredictRequestParser parser = new PredictRequestParser(new ObjectMapper(), 1 << 20);
    byte[] body =
        ("{\"raw_text\": \"a\", \"" + field + "\": null}").getBytes(StandardCharsets.UTF_8);

    assertThatCode(() -> parser.parse(body)).as("parsing %s", field).doesNotThrowAnyException();
    JsonNode property = spec().at("/components/schemas/PredictRequest/properties/" + field);
    assertThat(property.path("nullable").asBoolean(false)).as("%s nullable", field).isTrue();
  }

  @Test
  void shouldDescribeTheBodyOfEveryDocumentedErrorAndRetryAfterOfEveryUnavailableError()
      throws IOException {
    JsonNode spec = spec();
    JsonNode schemas = spec.get("components").get("schemas");
    List<String> problems = new ArrayList<>();
    int errors = 0;
    for (Map.Entry<String, JsonNode> path : spec.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
        String name = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
        for (Map.Entry<String, JsonNode> response :
            operation.getValue().get("responses").properties()) {
          int status = Integer.parseInt(response.getKey());
          if (status < 400) {
            continue;
          }
          errors++;
          JsonNode schema = response.getValue().at("/content/application~1json/schema/$ref");
          String ref = schema.asText("");
          if (!ref.startsWith("#/components/schemas/")
              || !schemas.has(ref.substring("#/components/schemas/".length()))) {
            problems.add(name + " " + status + ": no JSON body schema in components");
          } else if (ref.endsWith("/Error")
              && status == 503
              && !response.getValue().at("/headers/Retry-After/required").asBoolean(false)) {
            // Required, so that Schemathesis' response_headers_conformance checks it is sent.
            problems.add(
                name + " 503: an unavailable error always carries Retry-After (required: true)");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(errors).as("documented 4xx and 5xx responses").isGreaterThan(10);
  }
}
