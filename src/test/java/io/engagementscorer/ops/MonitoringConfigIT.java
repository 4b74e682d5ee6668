package io.engagementscorer.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.ops.MonitoringQueries.Query;
import io.engagementscorer.testing.EmbeddedKafka;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's {@code /metrics}, with real traffic through it, against what reads it. Every metric
 * that an alert rule ({@code ops/prometheus/alerts.yml}) or a Grafana dashboard ({@code
 * ops/grafana/dashboards/*.json}) queries must be a series of the real service's {@code /metrics},
 * or the alert never fires and the panel stays empty. The whole service runs, stream included,
 * against a KRaft broker in this JVM (the {@code mock://} registry is enough: only metrics are
 * compared), after predictions, scored posts (each compared with a candidate) and a dead letter
 * have gone through it. The same scrape must pass Prometheus's own lint ({@code promtool check
 * metrics}): it runs here, not in {@code .ci/run}, because only a service with traffic through it
 * exposes every series (histograms, dead letters, the stream's Kafka metrics), and so that {@code
 * mvn verify} checks it wherever promtool is installed.
 */
class MonitoringConfigIT {
  private static final Path ALERT_RULES = Path.of("ops/prometheus/alerts.yml");
  private static final Path DASHBOARDS = Path.of("ops/grafana/dashboards");
  // Written by Prometheus itself for every scrape target, never by the service.
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
  private static final int PREDICTIONS = 3;
  private static final int POSTS = 3;
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final Pattern ITEMS_SCORED =
      Pattern.compile("(?m)^engagement_items_scored_total (\\S+)$");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final int PROMTOOL_LINT_FINDINGS = 3;
  private static final Set<String> MICROMETER_STANDARD_NAMES =
      Set.of("process_cpu_time_ns_total", "system_cpu_count");

  private static EmbeddedKafka kafka;
  private static Application application;
  private static String base;
  private static String scrapeWithTraffic;

  @BeforeAll
  static void startService() throws Exception {
    kafka = EmbeddedKafka.start();
    kafka.createTopic("posts", 2);
    int port = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(port));
    env.put("MODEL_DIR", "models/tiny");
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", "mock://monitoring-config-it");
    env.put("INPUT_FORMAT", "json");
    env.put("STATE_DIR", Files.createTempDirectory("monitoring-it-state").toString());
    env.put("APPLICATION_SERVER", "127.0.0.1:" + port);
    env.put("BATCH_MAX_DELAY_MS", "20");
    // A candidate scoring every post, so that the rollout's series exist too.
    env.put(
        "CANDIDATE_MODEL_DIR",
        BundleFixtures.tinyWithVersion(
                Files.createTempDirectory("monitoring-it-candidate").resolve("tiny-2"), "tiny-2")
            .toString());
    env.put("CANDIDATE_SAMPLE_RATE", "1");
    application = Application.start(ServiceConfig.fromEnv(env));
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stopService() {
    if (application != null) {
      application.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldExposeEveryMetricThatTheAlertRulesAndDashboardsQuery() throws Exception {
    List<Query> queries = monitoringQueries();

    Set<String> exposed = seriesNames(scrapeWithTraffic());

    Map<String, List<String>> unknown = new TreeMap<>();
    for (Query query : queries) {
      for (String name : PromQlMetricNames.in(query.expression())) {
        if (!exposed.contains(name) && !PROMETHEUS_SERIES.contains(name)) {
          unknown.computeIfAbsent(name, missing -> new ArrayList<>()).add(query.usedIn());
        }
      }
    }
    assertThat(unknown).withFailMessage(() -> report(unknown)).isEmpty();
  }

  @Test
  void shouldPassPrometheusLintOfTheMetricsExposition() throws Exception {
    Optional<Path> promtool = onPath("promtool");
    if (promtool.isEmpty() && System.getenv("CI") != null) {
      throw new IllegalStateException("promtool is missing in CI: .ci/run installs `prometheus`");
    }
    assumeTrue(
        promtool.isPresent(),
        "promtool is not installed (Debian package `prometheus`, which .ci/run installs):"
            + " skipping the lint of /metrics");
    String exposition = scrapeWithTraffic();

    Process lint =
        new ProcessBuilder(promtool.get().toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream stdin = lint.getOutputStream()) {
      stdin.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lint.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    List<String> problems =
        output.lines().filter(line -> !line.isBlank()).filter(line -> !lintExempt(line)).toList();

    assertThat(lint.exitValue())
        .as("promtool check metrics could not read /metrics (exit 3 is lint findings):%n%s", output)
        .isIn(0, PROMTOOL_LINT_FINDINGS);
    assertThat(problems).as("promtool check metrics on the service's /metrics").isEmpty();
  }

  /**
   * Whether a lint finding is about a name the service does not choose: Kafka's client metrics
   * (Micrometer's binder derives them from Kafka's own names and descriptions: {@code _ns}, {@code
   * connection_count}, no help text) and Micrometer's standard {@code process_cpu_time_ns_total}
   * and {@code system_cpu_count}, which dashboards everywhere query by those names.
   */
  private static boolean lintExempt(String finding) {
    String metric = finding.split(" ", 2)[0];
    return metric.startsWith("kafka_") || MICROMETER_STANDARD_NAMES.contains(metric);
  }

  private static Optional<Path> onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** /metrics after predictions, posts and a dead letter: sent once, for every test. */
  private static synchronized String scrapeWithTraffic() throws Exception {
    if (scrapeWithTraffic == null) {
      for (int index = 0; index < PREDICTIONS; index++) {
        predict("Checking the dashboards #" + index);
      }
      publishPostsAndOneUndecodableRecord();
      scrapeWithTraffic = scrapeOnceTrafficIsCounted();
    }
    return scrapeWithTraffic;
  }

  /** The queries of the rule file and of every dashboard, each file contributing some. */
  private static List<Query> monitoringQueries() throws IOException {
    List<Path> dashboards;
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      dashboards = files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(dashboards).as("dashboards in %s", DASHBOARDS).isNotEmpty();
    List<Query> queries = new ArrayList<>(MonitoringQueries.fromRuleFile(ALERT_RULES));
    assertThat(queries).as("alert rules in %s", ALERT_RULES).isNotEmpty();
    for (Path dashboard : dashboards) {
      List<Query> panels = MonitoringQueries.fromDashboard(dashboard);
      assertThat(panels).as("queries in %s", dashboard).isNotEmpty();
      queries.addAll(panels);
    }
    return queries;
  }

  private static void predict(String text) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/predict"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"raw_text\": \"" + text + "\", \"comments\": [\"nice\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("POST /api/v1/predict: %s", response.body())
        .isEqualTo(200);
  }

  private static void publishPostsAndOneUndecodableRecord() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int post = 0; post < POSTS; post++) {
        String id = "monitored-" + post;
        producer.send(
            new ProducerRecord<>(
                "posts",
                id,
                "{\"post_id\": \""
                    + id
                    + "\", \"text\": \"Watch me #metrics\","
                    + " \"comments\": [{\"comment_id\": \"c1\", \"text\": \"Great!\"}]}"));
      }
      producer.send(new ProducerRecord<>("posts", "broken", "this is not JSON"));
      producer.flush();
    }
  }

  /** /metrics once the stream has scored the posts and dead-lettered the broken record. */
  private static String scrapeOnceTrafficIsCounted() throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String metrics = scrape();
    while (!trafficCounted(metrics) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      metrics = scrape();
    }
    assertThat(trafficCounted(metrics))
        .as(
            "the service counted %d predictions, %d stream posts, a candidate comparison and a"
                + " dead letter",
            PREDICTIONS, POSTS)
        .isTrue();
    return metrics;
  }

  private static boolean trafficCounted(String metrics) {
    Matcher scored = ITEMS_SCORED.matcher(metrics);
    return scored.find()
        && Double.parseDouble(scored.group(1)) >= PREDICTIONS + POSTS
        && metrics.contains("engagement_stream_dead_letters_total{stage=\"decode\"}")
        // The candidate's series start with its first compared post, which the stream records one
        // punctuation after the served score counted above.
        && metrics.contains("engagement_candidate_posts_total{");
  }

  private static String scrape() throws IOException, InterruptedException {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sample names of a Prometheus text exposition (what a query can select). */
  static Set<String> seriesNames(String exposition) {
    return exposition
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("[{ ]", 2)[0])
        .collect(Collectors.toSet());
  }

  private static String report(Map<String, List<String>> unknown) {
    StringBuilder message =
        new StringBuilder(
            "Metrics queried by the monitoring configuration but absent from the service's"
                + " /metrics (renamed, removed, or never registered):");
    unknown.forEach(
        (name, usedIn) ->
            message
                .append("\n  ")
                .append(name)
                .append("  used in: ")
                .append(usedIn.stream().distinct().collect(Collectors.joining("; "))));
    return message.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
