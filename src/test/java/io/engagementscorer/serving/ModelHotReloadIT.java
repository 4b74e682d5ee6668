package io.engagementscorer.serving;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.stream.StreamTestKit;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.MockSchemaRegistry;
import io.engagementscorer.testing.EmbeddedKafka;
import io.engagementscorer.testing.PythonExporter;
import io.engagementscorer.testing.S3Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path of a new model version: the exporter exports it and publishes it to a real
 * S3-compatible server; the running service (HTTP under concurrent load, and the stream) picks it
 * up without a failed request; a broken version is rejected while the old keeps serving; the admin
 * API needs its token.
 */
class ModelHotReloadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "models";
  private static final String KEY = "engagement/current.tar.gz";
  private static final String TOKEN = "reload-token-0123456789";
  private static final String SCOPE = "model-hot-reload-it";
  private static final String PREDICT_BODY =
      "{\"raw_text\": \"Golden hour at the pier #sunset\", \"comments\": [\"stunning\", \"meh\"]}";
  private static final int CLIENTS = 3;

  @TempDir static Path work;
  private static S3Store s3;
  private static EmbeddedKafka kafka;
  private static Application application;
  private static int port;
  private static Map<String, String> awsEnvironment;

  /** One predict answer: the status, and for a 200 the version and score. */
  private record Answer(int status, String version, double score, String body) {}

  @BeforeAll
  static void startStack() throws Exception {
    s3 = S3Store.start();
    awsEnvironment =
        Map.of(
            "AWS_ACCESS_KEY_ID", S3Store.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY", S3Store.SECRET_KEY,
            "AWS_DEFAULT_REGION", "us-east-1");
    publish(BundleFixtures.TINY, "--create-bucket");
    kafka = EmbeddedKafka.start();
    kafka.createTopic("posts", 2);
    port = StreamTestKit.freePort();
    Map<String, String> env =
        StreamTestKit.serviceEnvironment(port, kafka.bootstrapServers(), "mock://" + SCOPE);
    env.remove("MODEL_DIR");
    env.put("USE_S3_MODEL", "true");
    env.put("S3_BUCKET_NAME", BUCKET);
    env.put("S3_MODEL_KEY", KEY);
    env.put("S3_ENDPOINT", s3.endpoint());
    env.put("S3_PATH_STYLE", "true");
    env.put("MODEL_CACHE_DIR", Files.createDirectories(work.resolve("cache")).toString());
    env.put("MODEL_RELOAD_INTERVAL_S", "1");
    env.put("ADMIN_TOKEN", TOKEN);
    System.setProperty("aws.accessKeyId", S3Store.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Store.SECRET_KEY);
    application = Application.start(ServiceConfig.fromEnv(env));
  }

  @AfterAll
  static void stopStack() throws Exception {
    StreamTestKit.closeAll(application, kafka, s3);
    MockSchemaRegistry.dropScope(SCOPE);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private static void publish(Path bundle, String... extra) throws Exception {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "publish",
                bundle.toAbsolutePath().toString(),
                "--bucket",
                BUCKET,
                "--key",
                KEY,
                "--endpoint-url",
                s3.endpoint()));
    arguments.addAll(List.of(extra));
    PythonExporter.run(awsEnvironment, arguments.toArray(String[]::new));
  }

  @Test
  void shouldSwitchToANewVersionUnderLoadAndRejectABrokenOne() throws Exception {
    assertThat(modelInfo().get("version").asText()).isEqualTo("tiny-1");
    assertThat(modelInfo().at("/source/type").asText()).isEqualTo("s3");
    Path tiny2 = work.resolve("tiny-2");
    PythonExporter.run(
        Map.of(),
        "export",
        "--size",
        "tiny",
        "--version",
        "tiny-2",
        "--weights-seed",
        "7",
        "--out",
        tiny2.toString());

    List<Answer> answers = new CopyOnWriteArrayList<>();
    Map<String, Long> producedAt = new ConcurrentHashMap<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(CLIENTS + 1);
    HttpClient http = HttpClient.newHttpClient();
    for (int client = 0; client < CLIENTS; client++) {
      load.execute(
          () -> {
            while (loading.get()) {
              answers.add(predict(http));
            }
          });
    }
    load.execute(() -> producePosts(loading, producedAt));

    waitUntil(() -> answers.size() >= 30);
    long published = System.nanoTime();
    publish(tiny2);
    waitUntil(() -> "tiny-2".equals(modelInfo().get("version").asText()));
    long switched = System.nanoTime();
    int answersAtSwitch = answers.size();
    waitUntil(() -> answers.size() >= answersAtSwitch + 30);
    loading.set(false);
    load.shutdown();
    assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    // HTTP: not one failed request, and every answer from one of the two versions.
    assertThat(answers)
        .allSatisfy(answer -> assertThat(answer.status()).as(answer.body()).isEqualTo(200));
    Map<String, Set<Double>> scoresByVersion = new HashMap<>();
    answers.forEach(
        answer ->
            scoresByVersion
                .computeIfAbsent(answer.version(), v -> new HashSet<>())
                .add(answer.score()));
    assertThat(scoresByVersion).containsOnlyKeys("tiny-1", "tiny-2");
    // One request body: each version always gives the same score, and the versions differ.
    assertThat(scoresByVersion.get("tiny-1")).hasSize(1);
    assertThat(scoresByVersion.get("tiny-2"))
        .hasSize(1)
        .doesNotContainAnyElementsOf(scoresByVersion.get("tiny-1"));

    // Stream: every post scored once per state, by one of the two versions; posts that arrived
    // after the switch by the new one.
    List<ConsumerRecord<String, EngagementScore>> scores =
        StreamTestKit.readScores(
            kafka.bootstrapServers(),
            MockSchemaRegistry.forScope(SCOPE),
            records ->
                records.stream().map(ConsumerRecord::key).distinct().count() >= producedAt.size());
    assertThat(scores.stream().map(ConsumerRecord::key).distinct()).hasSize(producedAt.size());
    Set<String> scoredStates = new HashSet<>();
    for (ConsumerRecord<String, EngagementScore> record : scores) {
      EngagementScore score = record.value();
      assertThat(scoredStates.add(score.getPostId() + "@" + score.getPostVersion()))
          .as("scored twice: %s", score)
          .isTrue();
      assertThat(score.getModelVersion()).isIn("tiny-1", "tiny-2");
      if (producedAt.get(score.getPostId()) > switched) {
        assertThat(score.getModelVersion()).as(score.getPostId()).isEqualTo("tiny-2");
      }
    }
    assertThat(scores.stream().map(record -> record.value().getModelVersion()).distinct())
        .contains("tiny-2");

    JsonNode info = modelInfo();
    assertThat(info.at("/source/key").asText()).isEqualTo(KEY);
    assertThat(info.at("/source/etag").asText()).isNotEmpty();
    assertThat(info.at("/reloads/succeeded").asLong()).isEqualTo(1);
    assertThat(Duration.ofNanos(switched - published)).isLessThan(Duration.ofMinutes(2));
    System.out.printf(
        "Hot reload: %d predictions (%d by tiny-1, %d by tiny-2), %d posts scored, 0 failed;"
            + " published to serving in %d ms%n",
        answers.size(),
        answers.stream().filter(answer -> "tiny-1".equals(answer.version())).count(),
        answers.stream().filter(answer -> "tiny-2".equals(answer.version())).count(),
        producedAt.size(),
        Duration.ofNanos(switched - published).toMillis());

    rejectABrokenVersion(tiny2, http);
  }

  private void rejectABrokenVersion(Path tiny2, HttpClient http) throws Exception {
    Path broken = work.resolve("broken");
    BundleFixtures.copy(tiny2, broken);
    Path cases = broken.resolve("reference/cases.json");
    ObjectNode tree = BundleFixtures.readJson(cases);
    ObjectNode expected = (ObjectNode) tree.get("cases").get(0).get("expected");
    expected.put("engagement_score", expected.get("engagement_score").asDouble() + 0.25);
    BundleFixtures.writeJson(cases, tree);
    BundleFixtures.rehash(broken, "reference/cases.json");
    ObjectNode manifest = BundleFixtures.readJson(broken.resolve("manifest.json"));
    manifest.put("version", "tiny-3-broken");
    BundleFixtures.writeJson(broken.resolve("manifest.json"), manifest);

    publish(broken);
    // The answer that shows the failure: a later check (every second) may already say unchanged.
    AtomicReference<JsonNode> seen = new AtomicReference<>();
    waitUntil(
        () -> {
          seen.set(modelInfo());
          return seen.get().at("/reloads/failed").asLong() == 1;
        });

    JsonNode info = seen.get();
    assertThat(info.get("version").asText()).isEqualTo("tiny-2");
    assertThat(info.at("/reloads/last_result/outcome").asText()).isEqualTo("rejected");
    assertThat(info.at("/reloads/last_result/detail").asText()).contains("self-check");
    Answer answer = predict(http);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.version()).isEqualTo("tiny-2");
    assertThat(cachedVersions())
        .as("a rejected bundle leaves the cache")
        .doesNotContain("tiny-3-broken")
        .contains("tiny-2");

    assertThat(adminReload(null).statusCode()).isEqualTo(401);
    assertThat(adminReload("not-the-token").statusCode()).isEqualTo(401);
    HttpResponse<String> forced = adminReload(TOKEN);
    assertThat(forced.statusCode()).as(forced.body()).isEqualTo(422);
    assertThat(JSON.readTree(forced.body()).get("outcome").asText()).isEqualTo("rejected");

    String metrics = StreamTestKit.get(port, "/metrics").body();
    assertThat(metrics)
        .contains("engagement_model_reloads_total{outcome=\"success\"} 1.0")
        .contains("engagement_model_reloads_total{outcome=\"failure\"} 2.0")
        .contains(
            "engagement_model_info{precision=\"fp32\",source=\"s3://models/"
                + KEY
                + "\",version=\"tiny-2\"} 1");
  }

  private static Answer predict(HttpClient http) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/predict"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(PREDICT_BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return new Answer(response.statusCode(), null, Double.NaN, response.body());
      }
      JsonNode body = JSON.readTree(response.body());
      return new Answer(
          200,
          body.get("model_version").asText(),
          body.get("engagement_score").asDouble(),
          response.body());
    } catch (Exception e) {
      return new Answer(-1, null, Double.NaN, e.toString());
    }
  }

  private static void producePosts(AtomicBoolean loading, Map<String, Long> producedAt) {
    ConfluentAvroSerializer<PostEvent> serializer =
        new ConfluentAvroSerializer<>(
            MockSchemaRegistry.forScope(SCOPE), PostEvent.class, true, false);
    try (KafkaProducer<String, byte[]> producer =
        StreamTestKit.producer(kafka.bootstrapServers())) {
      for (int post = 0; loading.get(); post++) {
        String postId = "reload-" + post;
        PostEvent event = event(postId, "post number " + post, comment("c" + post, "nice one"));
        producedAt.put(postId, System.nanoTime());
        producer.send(new ProducerRecord<>("posts", postId, serializer.serialize("posts", event)));
        Thread.sleep(25);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static HttpResponse<String> adminReload(String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/admin/reload"))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode modelInfo() {
    try {
      return JSON.readTree(StreamTestKit.get(port, "/api/v1/model-info").body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> cachedVersions() throws Exception {
    try (var files = Files.walk(work.resolve("cache"))) {
      return files
          .filter(file -> file.getFileName().toString().equals("entry.json"))
          .map(file -> BundleFixtures.readJson(file).get("version").asText())
          .toList();
    }
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 3 minutes").isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
