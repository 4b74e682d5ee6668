package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.testing.ClientTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemathesis (from {@code ops/requirements-clients.txt}) fuzzes the running service from its own
 * {@code /openapi.json}: every operation, the admin one with its bearer token, with a fixed seed
 * and a bounded number of examples, so that a run is reproducible and takes seconds. Nothing may
 * answer 5xx but a 503 where the spec documents one; every status, content type, header and body
 * must be what the spec says; a request the spec calls invalid must be refused; a Schemathesis
 * warning fails the run too. The service is the one {@link PredictApiIT} starts (the tiny model, no
 * stream, so {@code /api/v1/scores/{postId}} always answers its documented 503).
 */
class SchemathesisIT {
  private static final long SEED = 20261202;
  private static final int EXAMPLES_PER_OPERATION = 100;
  private static final List<String> CHECKS =
      List.of(
          "not_a_server_error",
          "status_code_conformance",
          "content_type_conformance",
          "response_schema_conformance",
          "response_headers_conformance",
          "negative_data_rejection");
  private static final String ADMIN_TOKEN = "schemathesis-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  // Schemathesis' report of the last run, kept for reading when it passed too.
  private static final Path REPORT = Path.of("target", "schemathesis-report.txt");

  private static Application application;

  @BeforeAll
  static void startService() throws IOException {
    Map<String, String> env = PredictApiIT.testEnvironment();
    env.put("ADMIN_TOKEN", ADMIN_TOKEN);
    // A candidate, so that the candidate operations reach their logic (reload, promote, drop)
    // instead of answering 404 for a candidate source that is not configured.
    env.put(
        "CANDIDATE_MODEL_DIR",
        BundleFixtures.tinyWithVersion(
                Files.createTempDirectory("schemathesis-candidate").resolve("tiny-2"), "tiny-2")
            .toString());
    application = Application.start(ServiceConfig.fromEnv(env));
  }

  @AfterAll
  static void stopService() {
    application.close();
  }

  @Test
  void shouldAnswerEveryGeneratedRequestAsItsSpecSays(@TempDir Path workDir) throws Exception {
    Path config = workDir.resolve("schemathesis.toml");
    Files.writeString(config, configFor(spec()), StandardCharsets.UTF_8);

    // From the temporary folder: Schemathesis and Hypothesis write their caches where they run.
    ClientTools.Result result =
        ClientTools.runIn(
            workDir,
            "schemathesis-it.log",
            "schemathesis",
            "--config-file",
            config.toString(),
            "run",
            "http://127.0.0.1:" + application.port() + "/openapi.json",
            "--checks",
            String.join(",", CHECKS),
            "--no-color");

    Files.writeString(REPORT, result.stdout(), StandardCharsets.UTF_8);
    assertThat(result.exitCode())
        .as(
            "Schemathesis found problems (exit status %d):%n%s%nits standard error:%n%s",
            result.exitCode(), result.stdout(), result.logTail())
        .isZero();
    // Exit status 0 with an operation left out would be a pass that checked less than it says.
    assertThat(result.stdout())
        .as("Schemathesis' report (also in %s)", REPORT)
        .contains("Tested: " + operationCount(spec()) + "\n");
  }

  /** The operations of the spec: the entries of its paths that have responses. */
  private static long operationCount(JsonNode spec) {
    long count = 0;
    for (Map.Entry<String, JsonNode> path : spec.get("paths").properties()) {
      count +=
          path.getValue().properties().stream()
              .filter(operation -> operation.getValue().has("responses"))
              .count();
    }
    return count;
  }

  /**
   * The run's settings. A 503 is an answer, not a server error, only on the operations whose spec
   * documents one: those get an {@code [[operations]]} entry of their own, read off the spec so
   * that a 503 added to or removed from it moves the line here with it.
   */
  static String configFor(JsonNode spec) {
    StringBuilder toml = new StringBuilder();
    toml.append("# Written by SchemathesisIT for one run (see docs/http-api.md).\n")
        .append("seed = ")
        .append(SEED)
        .append('\n')
        // One worker keeps the order of requests, and so the run, the same every time.
        .append("workers = 1\n")
        .append("request-timeout = 30\n")
        .append("warnings = { fail-on = true }\n")
        // No crash cache and no example database: every run starts from the seed alone.
        .append("cache = { enabled = false }\n\n")
        .append("[generation]\n")
        .append("max-examples = ")
        .append(EXAMPLES_PER_OPERATION)
        .append('\n')
        .append("database = \"none\"\n");
    for (Map.Entry<String, JsonNode> scheme : spec.at("/components/securitySchemes").properties()) {
      if ("bearer".equals(scheme.getValue().path("scheme").asText())) {
        toml.append("\n[auth.openapi.")
            .append(scheme.getKey())
            .append("]\nbearer = \"")
            .append(ADMIN_TOKEN)
            .append("\"\n");
      }
    }
    for (Map.Entry<String, JsonNode> path : spec.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
        if (operation.getValue().path("responses").has("503")) {
          toml.append("\n[[operations]]\ninclude-path = \"")
              .append(path.getKey())
              .append("\"\ninclude-method = \"")
              .append(operation.getKey().toUpperCase(Locale.ROOT))
              .append("\"\nchecks.not_a_server_error.expected-statuses =")
              .append(" [\"2xx\", \"3xx\", \"4xx\", \"503\"]\n");
        }
      }
    }
    return toml.toString();
  }

  private static JsonNode spec() throws IOException {
    try (InputStream in = SchemathesisIT.class.getResourceAsStream("/openapi.json")) {
      return JSON.readTree(in);
    }
  }
}
