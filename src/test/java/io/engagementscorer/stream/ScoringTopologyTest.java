package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.errors.DeadLetterStage;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.ContentDigest;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.FeatureCache;
import io.engagementscorer.scoring.PostContent;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.scoring.ServedModels;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.JsonPostEventDeserializer;
import io.engagementscorer.stream.serde.MockSchemaRegistry;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import io.engagementscorer.stream.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology through TopologyTestDriver, the mock:// registry and the real tiny model. */
class ScoringTopologyTest {
  private static final String SCOPE = "scoring-topology-test";
  private static final StreamTopics TOPICS = new StreamTopics("posts", "scores", "posts-dlq");
  private static final int BATCH = 4;
  private static final int MAX_COMMENTS = 3;
  private static final Duration DELAY = Duration.ofMillis(100);

  // URIs under this prefix fetch a test image; any other URI fails to fetch.
  private static final String FIXTURE_IMAGES = "file://fixtures/";
  private static final List<String> IMAGES = List.of("photo.jpg", "landscape.png", "portrait.png");
  private static final double SAME_SCORE = 1e-6;

  private static EngagementScorer scorer;
  private static EngagementScorer fromScratch;
  private static final SimpleMeterRegistry SCORER_METERS = new SimpleMeterRegistry();

  @TempDir Path stateDir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockSchemaRegistry schemas = MockSchemaRegistry.forScope(SCOPE);
  private final List<String> fetched = new ArrayList<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> posts;
  private TestOutputTopic<String, EngagementScore> scores;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeAll
  static void startScorer() {
    scorer =
        EngagementScorer.start(
            ServedModels.load(BundleFixtures.TINY, SCORER_METERS),
            new BatcherSettings(32, Duration.ofMillis(5), 256, Duration.ofSeconds(30), 1),
            64,
            SCORER_METERS);
    // Reuses nothing: what every score must equal, however it was computed.
    SimpleMeterRegistry scratchMeters = new SimpleMeterRegistry();
    fromScratch =
        EngagementScorer.start(
            ServedModels.load(BundleFixtures.TINY, FeatureCache.disabled(), scratchMeters),
            new BatcherSettings(32, Duration.ofMillis(5), 256, Duration.ofSeconds(30), 1),
            64,
            scratchMeters);
  }

  @AfterAll
  static void stopScorer() {
    scorer.close();
    fromScratch.close();
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private void startTopology(boolean jsonInput) {
    startTopologyWith(
        jsonInput
            ? new JsonPostEventDeserializer()
            : new ConfluentAvroDeserializer<>(schemas, PostEvent.class));
  }

  private void startTopologyWith(Deserializer<PostEvent> events) {
    StreamSerdes serdes = StreamSerdesFactory.over(schemas, events, true);
    ImageResolver resolver =
        uri -> {
          fetched.add(uri);
          if (uri.startsWith(FIXTURE_IMAGES)) {
            return image(uri.substring(FIXTURE_IMAGES.length()));
          }
          throw new IllegalStateException("fetch failed after 3 attempts: connection refused");
        };
    driver =
        TopologyTestKit.driver(
            ScoringTopology.build(
                TOPICS,
                new StreamScoringSettings(BATCH, DELAY, 2 * BATCH, MAX_COMMENTS),
                serdes,
                scorer,
                resolver,
                Runnable::run,
                StreamRollout.none(registry),
                registry),
            "topology-test",
            stateDir);
    posts = TopologyTestKit.rawInput(driver, TOPICS.input());
    scores = TopologyTestKit.avroOutput(driver, TOPICS.output(), schemas, EngagementScore.class);
    deadLetters =
        driver.createOutputTopic(
            TOPICS.deadLetter(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
  }

  private byte[] avro(PostEvent event) {
    return new ConfluentAvroSerializer<>(schemas, PostEvent.class, true, false)
        .serialize(TOPICS.input(), event);
  }

  private void publish(PostEvent event) {
    posts.pipeInput(event.getPostId(), avro(event));
  }

  /** Lets submitted posts finish scoring: see {@link TopologyTestKit#settle}. */
  private void settle() {
    TopologyTestKit.settle(
        driver,
        scorer,
        DELAY,
        Duration.ofSeconds(20),
        () -> scores.getQueueSize() + deadLetters.getQueueSize());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double scored() {
    return SCORER_METERS.get("engagement.items.scored").counter().count();
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldKeepAChangedPostPendingUntilThePunctuatorScoresIt() {
    startTopology(false);

    publish(event("p1", "Check out this amazing sunset! #beautiful", comment("c1", "Wow!")));

    assertThat(scores.isEmpty()).isTrue();
    assertThat(driver.<String, Long>getKeyValueStore(ScoringTopology.PENDING_STORE).get("p1"))
        .isEqualTo(1L);
    settle();
    EngagementScore score = scores.readValue();
    assertThat(score.getPostId()).isEqualTo("p1");
    assertThat(score.getCleanedText()).isEqualTo("check out this amazing sunset beautiful");
    assertThat(score.getCommentCount()).isEqualTo(1);
    assertThat(score.getPostVersion()).isEqualTo(1);
    assertThat(score.getModelVersion()).isEqualTo(scorer.current().version());
    assertThat(score.getEngagementScore()).isBetween(0.0, 1.0);
    assertThat(driver.<String, Long>getKeyValueStore(ScoringTopology.PENDING_STORE).get("p1"))
        .isNull();
  }

  @Test
  void shouldScoreAPostUpdatedSeveralTimesInOneWindowOnceWithItsNewestState() {
    startTopology(false);

    publish(event("p1", "first draft", comment("c1", "nice")));
    publish(event("p1", "final text", comment("c2", "great")));
    publish(event("p1", null, comment("c3", "love it")));
    settle();

    List<EngagementScore> all = scores.readValuesToList();
    assertThat(all).hasSize(1);
    assertThat(all.get(0).getCleanedText()).isEqualTo("final text");
    assertThat(all.get(0).getCommentCount()).isEqualTo(3);
    assertThat(all.get(0).getPostVersion()).isEqualTo(3);
  }

  @Test
  void shouldSubmitABatchWorthOfPendingPostsWithoutWaitingForThePunctuator() {
    startTopology(false);
    double before = scored();

    for (int post = 0; post < BATCH; post++) {
      publish(event("p" + post, "post number " + post));
    }
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (scored() < before + BATCH && System.nanoTime() < end) {
      sleep(10);
    }
    publish(event("p" + BATCH, "the next record collects what finished"));

    assertThat(scores.readKeyValuesToMap()).containsOnlyKeys("p0", "p1", "p2", "p3");
  }

  @Test
  void shouldDeduplicateCommentsCapThemAndNotRescoreAnUnchangedPost() {
    startTopology(false);
    publish(
        event(
            "p1",
            "text",
            comment("c1", "a"),
            comment("c2", "b"),
            comment("c1", "a again"),
            comment("c3", "c"),
            comment("c4", "d")));
    settle();
    assertThat(scores.readValue().getCommentCount()).isEqualTo(MAX_COMMENTS);

    publish(event("p1", "text", comment("c4", "d")));
    settle();

    assertThat(scores.isEmpty()).as("a repeat changes nothing, so no new score").isTrue();
  }

  @Test
  void shouldSendUndecodableRecordsToTheDeadLetterTopicAndKeepGoing() {
    startTopology(false);

    posts.pipeInput("bad", "not avro at all".getBytes(StandardCharsets.UTF_8));
    publish(event("p1", "still flowing"));
    settle();

    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("bad");
    assertThat(dead.value()).isEqualTo("not avro at all".getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo(DeadLetterStage.DECODE.value());
    assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("posts");
    assertThat(header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetters.EXCEPTION_CLASS)).isNotBlank();
    assertThat(header(dead.headers(), DeadLetters.REASON)).isNotBlank();
    assertThat(scores.readValue().getPostId()).isEqualTo("p1");
    assertThat(
            registry.get("engagement.stream.dead.letters").tag("stage", "decode").counter().count())
        .isEqualTo(1);
  }

  @Test
  void shouldDeadLetterARecordWhoseKeyIsNotItsPostId() {
    startTopology(false);

    posts.pipeInput("other", avro(event("p1", "mismatch")));

    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead.headers(), DeadLetters.REASON)).contains("differs from the post id");
  }

  @Test
  void shouldDeadLetterAPostWhoseInlineImageIsNotAnImage() {
    startTopology(false);
    ImageReference notAnImage =
        ImageReference.newBuilder()
            .setBytes(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)))
            .setUri(null)
            .build();

    publish(PostEvent.newBuilder(event("p1", "with image")).setImage(notAnImage).build());
    publish(event("p2", "fine"));
    settle();

    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("p1");
    assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo(DeadLetterStage.IMAGE.value());
    assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(scores.readValue().getPostId()).isEqualTo("p2");
  }

  @Test
  void shouldDeadLetterAPostWhoseImageCannotBeFetchedAfterRetries() {
    startTopology(false);
    ImageReference byUri =
        ImageReference.newBuilder().setBytes(null).setUri("s3://bucket/missing.png").build();

    publish(PostEvent.newBuilder(event("p1", "remote image")).setImage(byUri).build());
    settle();

    assertThat(fetched).containsExactly("s3://bucket/missing.png");
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead.headers(), DeadLetters.STAGE)).isEqualTo(DeadLetterStage.IMAGE.value());
    assertThat(header(dead.headers(), DeadLetters.EXCEPTION_CLASS))
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(scores.isEmpty()).isTrue();
  }

  @Test
  void shouldKeepTheLatestScoreOfEachPostForInteractiveQueries() {
    startTopology(false);

    publish(event("p1", "one"));
    settle();
    publish(event("p1", "two"));
    settle();

    EngagementScore latest =
        driver
            .<String, EngagementScore>getKeyValueStore(ScoringTopology.LATEST_SCORES_STORE)
            .get("p1");
    assertThat(latest.getCleanedText()).isEqualTo("two");
    assertThat(latest.getPostVersion()).isEqualTo(2);
  }

  @Test
  void shouldAcceptJsonPostEventsWhenConfigured() {
    startTopology(true);

    posts.pipeInput(
        "p1",
        """
        {"post_id": "p1", "text": "Hello from any client #json",
         "comments": [{"comment_id": "c1", "text": "hi"}]}
        """
            .getBytes(StandardCharsets.UTF_8));
    settle();

    EngagementScore score = scores.readValue();
    assertThat(score.getCleanedText()).isEqualTo("hello from any client json");
    assertThat(score.getCommentCount()).isEqualTo(1);
  }

  @Test
  void shouldStopRatherThanDeadLetterWhileTheSchemaRegistryIsUnreachable() {
    startTopology(false);
    byte[] record = avro(event("p1", "a schema id the new deserializer has not cached"));
    SchemaRegistryClient unreachable =
        new SchemaRegistryClient() {
          @Override
          public int register(String subject, Schema schema) {
            throw new SchemaRegistryUnavailableException("registry down");
          }

          @Override
          public int idOf(String subject, Schema schema) {
            throw new SchemaRegistryUnavailableException("registry down");
          }

          @Override
          public Schema schemaById(int id) {
            throw new SchemaRegistryUnavailableException("registry down");
          }
        };
    driver.close();
    driver = null;
    startTopologyWith(new ConfluentAvroDeserializer<>(unreachable, PostEvent.class));

    assertThatThrownBy(() -> posts.pipeInput("p1", record))
        .hasRootCauseInstanceOf(SchemaRegistryUnavailableException.class);
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(
            new ThreadFailures(new SimpleMeterRegistry())
                .handle(
                    new StreamsException(new SchemaRegistryUnavailableException("registry down"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  private static byte[] image(String name) {
    try {
      return Files.readAllBytes(Path.of("src/test/resources/images", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ImageReference inlineImage(String name) {
    return ImageReference.newBuilder().setBytes(ByteBuffer.wrap(image(name))).setUri(null).build();
  }

  private static ImageReference imageUri(String name) {
    return ImageReference.newBuilder().setBytes(null).setUri(FIXTURE_IMAGES + name).build();
  }

  /** Inputs each model part has run on so far. */
  private static Map<String, Double> rows() {
    Map<String, Double> rows = new HashMap<>();
    for (String model : List.of("sentiment", "image_encoder", "text_encoder", "head")) {
      var counter = SCORER_METERS.find("engagement.inference.rows").tag("model", model).counter();
      rows.put(model, counter == null ? 0 : counter.count());
    }
    return rows;
  }

  private static Map<String, Double> since(Map<String, Double> before) {
    Map<String, Double> delta = new HashMap<>();
    rows().forEach((model, count) -> delta.put(model, count - before.get(model)));
    return delta;
  }

  /** The latest score of every post read from the output topic so far. */
  private Map<String, EngagementScore> latestScores() {
    Map<String, EngagementScore> latest = new HashMap<>();
    scores.readValuesToList().forEach(score -> latest.put(score.getPostId(), score));
    return latest;
  }

  /** The post as the stream holds it, scored by a scorer that reuses nothing. */
  private EngagementPrediction scoredFromScratch(String postId) {
    PostState state =
        driver.<String, PostState>getKeyValueStore(ScoringTopology.POST_STATE_STORE).get(postId);
    byte[] bytes =
        state.getInlineImageSha256() != null
            ? driver.<String, byte[]>getKeyValueStore(ScoringTopology.POST_IMAGES_STORE).get(postId)
            : state.getImage() == null
                ? null
                : image(state.getImage().getUri().substring(FIXTURE_IMAGES.length()));
    List<String> comments = new ArrayList<>();
    state.getComments().forEach(comment -> comments.add(comment.getText()));
    String text = state.getText() == null ? "" : state.getText();
    return fromScratch.score(new PostContent(text, bytes, comments)).join();
  }

  private void assertScoredAsFromScratch(EngagementScore score) {
    EngagementPrediction expected = scoredFromScratch(score.getPostId());
    assertThat(score.getEngagementScore())
        .as("engagement of %s", score.getPostId())
        .isCloseTo(expected.score().engagementScore(), within(SAME_SCORE));
    assertThat(score.getSentimentScore())
        .as("sentiment of %s", score.getPostId())
        .isCloseTo(expected.score().sentimentScore(), within(SAME_SCORE));
    assertThat(score.getCommentCount()).isEqualTo(expected.score().commentCount());
  }

  @Test
  void shouldRunOnlyTheSentimentModelOnANewCommentWithNoEncoderAndNoFetch() {
    startTopology(false);
    publish(
        PostEvent.newBuilder(event("p1", "sunset #nature", comment("c1", "Wow!")))
            .setImage(imageUri("photo.jpg"))
            .build());
    settle();
    scores.readValue();
    Map<String, Double> before = rows();

    publish(event("p1", null, comment("c2", "Love it")));
    settle();

    EngagementScore score = scores.readValue();
    assertThat(score.getCommentCount()).isEqualTo(2);
    assertThat(since(before))
        .containsEntry("sentiment", 1.0)
        .containsEntry("image_encoder", 0.0)
        .containsEntry("text_encoder", 0.0)
        .containsEntry("head", 1.0);
    assertThat(fetched).containsExactly(FIXTURE_IMAGES + "photo.jpg");
    assertScoredAsFromScratch(score);
  }

  @Test
  void shouldStoreAnInlineImageOnceInsteadOfInEveryVersionOfThePost() {
    startTopology(false);
    byte[] photo = image("photo.jpg");

    publish(PostEvent.newBuilder(event("p1", "photo")).setImage(inlineImage("photo.jpg")).build());
    publish(event("p1", null, comment("c1", "nice")));
    settle();

    PostState state =
        driver.<String, PostState>getKeyValueStore(ScoringTopology.POST_STATE_STORE).get("p1");
    assertThat(state.getImage()).isNull();
    assertThat(state.getInlineImageSha256()).isEqualTo(ContentDigest.of(photo).hex());
    assertThat(driver.<String, byte[]>getKeyValueStore(ScoringTopology.POST_IMAGES_STORE).get("p1"))
        .isEqualTo(photo);
    assertScoredAsFromScratch(latestScores().get("p1"));
  }

  @Test
  void shouldScoreEveryPostAgainInFullWithTheNewModelAfterAReload(@TempDir Path bundles) {
    startTopology(false);
    publish(
        PostEvent.newBuilder(event("p1", "before the reload", comment("c1", "first")))
            .setImage(inlineImage("landscape.png"))
            .build());
    settle();
    scores.readValue();
    ServedModel original = ServedModels.load(BundleFixtures.TINY, SCORER_METERS);
    scorer.replace(
        ServedModels.load(
            BundleFixtures.tinyWithVersion(bundles.resolve("tiny-2"), "tiny-2"), SCORER_METERS));
    try {
      Map<String, Double> before = rows();

      publish(event("p1", null, comment("c2", "second")));
      settle();

      EngagementScore score = scores.readValue();
      assertThat(score.getModelVersion()).isEqualTo("tiny-2");
      assertThat(since(before))
          .containsEntry("sentiment", 2.0)
          .containsEntry("image_encoder", 1.0)
          .containsEntry("text_encoder", 1.0);
      assertScoredAsFromScratch(score);
    } finally {
      scorer.replace(original);
    }
  }

  @Test
  void shouldGiveTheFromScratchScoreAfterAnySequenceOfEvents() {
    startTopology(false);
    Random random = new Random(20261202);
    List<String> postIds = List.of("r1", "r2", "r3");
    List<String> texts = List.of("first text #one", "second text", "", "première fois");
    List<String> commentTexts = List.of("great", "awful", "meh", "great", "so so", "love it");
    int commentIds = 0;
    for (int step = 0; step < 60; step++) {
      String postId = postIds.get(random.nextInt(postIds.size()));
      PostEvent.Builder next = PostEvent.newBuilder(event(postId, null));
      switch (random.nextInt(5)) {
        case 0 -> next.setText(texts.get(random.nextInt(texts.size())));
        case 1 ->
            next.setImage(
                random.nextBoolean()
                    ? inlineImage(IMAGES.get(random.nextInt(IMAGES.size())))
                    : imageUri(IMAGES.get(random.nextInt(IMAGES.size()))));
        case 2 -> // a comment id seen before: changes nothing
            next.setComments(List.of(comment("c" + random.nextInt(commentIds + 1), "repeat")));
        default -> // new comments; more than MAX_COMMENTS over time, so the oldest leave
            next.setComments(
                List.of(
                    comment(
                        "c" + ++commentIds,
                        commentTexts.get(random.nextInt(commentTexts.size())))));
      }
      publish(next.build());
      if (random.nextInt(4) == 0) {
        settle();
      }
    }
    settle();

    Map<String, EngagementScore> latest = latestScores();
    assertThat(latest).containsOnlyKeys(postIds);
    latest.values().forEach(this::assertScoredAsFromScratch);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldReadPostStateWrittenByThePreviousSchemaAndMoveItsImageOut() throws IOException {
    startTopology(false);
    // PostState.avsc as the previous release wrote it (before the post-images store).
    Schema.Parser parser = new Schema.Parser();
    parser.parse(PostEvent.getClassSchema().toString());
    Schema previous;
    try (InputStream schema =
        ScoringTopologyTest.class.getResourceAsStream("/avro-previous/PostState.avsc")) {
      previous = parser.parse(schema);
    }
    GenericRecord old = new GenericData.Record(previous);
    old.put("postId", "legacy");
    old.put("text", "written by the previous release");
    GenericRecord image = new GenericData.Record(ImageReference.getClassSchema());
    image.put("bytes", ByteBuffer.wrap(image("portrait.png")));
    image.put("uri", null);
    old.put("image", image);
    old.put("comments", List.of());
    old.put("version", 1L);
    old.put("updatedAt", 0L);
    old.put("sourceTopic", "posts");
    old.put("sourcePartition", 0);
    old.put("sourceOffset", 0L);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    written.write(0);
    written.write(
        ByteBuffer.allocate(4).putInt(schemas.register("post-state-changelog", previous)).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(written, null);
    new GenericDatumWriter<GenericRecord>(previous).write(old, encoder);
    encoder.flush();
    PostState read =
        new ConfluentAvroDeserializer<>(schemas, PostState.class)
            .deserialize("changelog", written.toByteArray());
    driver
        .<String, PostState>getKeyValueStore(ScoringTopology.POST_STATE_STORE)
        .put("legacy", read);

    publish(event("legacy", null, comment("c1", "still works")));
    settle();

    EngagementScore score = scores.readValue();
    assertThat(score.getPostVersion()).isEqualTo(2);
    PostState migrated =
        driver.<String, PostState>getKeyValueStore(ScoringTopology.POST_STATE_STORE).get("legacy");
    assertThat(migrated.getImage()).isNull();
    assertThat(migrated.getInlineImageSha256())
        .isEqualTo(ContentDigest.of(image("portrait.png")).hex());
    assertScoredAsFromScratch(score);
  }
}
