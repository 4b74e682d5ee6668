package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.RescorePass;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.rollout.CandidateComparison;
import io.engagementscorer.rollout.CandidateSampler;
import io.engagementscorer.rollout.PostRate;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.ServedModels;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.MockSchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model rollout through TopologyTestDriver and the real tiny model: shadow scoring of a sampled
 * share of posts, promotion, and re-scoring stored posts on a model change.
 */
class RolloutTopologyTest {
  private static final String SCOPE = "rollout-topology-test";
  private static final StreamTopics TOPICS =
      new StreamTopics("posts", "scores", "posts-dlq", "scores-candidate");
  private static final StreamTopics NO_CANDIDATE = new StreamTopics("posts", "scores", "posts-dlq");
  private static final int BATCH = 4;
  private static final Duration DELAY = Duration.ofMillis(50);
  private static final int POSTS = 24;

  @TempDir Path stateDir;
  @TempDir Path bundles;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockSchemaRegistry schemas = MockSchemaRegistry.forScope(SCOPE);
  private EngagementScorer scorer;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> posts;
  private TestOutputTopic<String, EngagementScore> scores;
  private TestOutputTopic<String, CandidateScore> candidateScores;
  private CandidateComparison comparison;
  private RescoreProgress progress;

  @BeforeEach
  void startScorer() {
    scorer =
        EngagementScorer.start(
            ServedModels.load(BundleFixtures.TINY, registry),
            new BatcherSettings(BATCH, Duration.ofMillis(5), 256, Duration.ofSeconds(30), 1),
            64,
            registry);
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
    scorer.close();
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private void loadCandidate(String version) {
    scorer.replaceCandidate(
        ServedModels.load(
            BundleFixtures.tinyWithVersion(bundles.resolve(version), version), registry));
  }

  private void startTopology(StreamTopics topics, double sampleRate, boolean rescore) {
    StreamSerdes serdes =
        StreamSerdesFactory.over(
            schemas, new ConfluentAvroDeserializer<>(schemas, PostEvent.class), true);
    comparison = new CandidateComparison(100, registry);
    progress = new RescoreProgress(rescore, registry);
    StreamRollout rollout =
        new StreamRollout(
            topics.candidate() == null ? null : new CandidateSampler(sampleRate),
            Duration.ofSeconds(10),
            comparison,
            progress,
            new PostRate(1_000));
    driver =
        TopologyTestKit.driver(
            ScoringTopology.build(
                topics,
                new StreamScoringSettings(BATCH, DELAY, 2 * BATCH, 10),
                serdes,
                scorer,
                uri -> {
                  throw new IllegalStateException("no fetches here");
                },
                Runnable::run,
                rollout,
                registry),
            "rollout-test",
            stateDir);
    posts = TopologyTestKit.rawInput(driver, topics.input());
    scores = TopologyTestKit.avroOutput(driver, topics.output(), schemas, EngagementScore.class);
    if (topics.candidate() != null) {
      candidateScores =
          TopologyTestKit.avroOutput(driver, topics.candidate(), schemas, CandidateScore.class);
    }
  }

  private void publish(PostEvent event) {
    posts.pipeInput(
        event.getPostId(),
        new ConfluentAvroSerializer<>(schemas, PostEvent.class, true, false)
            .serialize(TOPICS.input(), event));
  }

  private void publishPosts(String prefix) {
    for (int index = 0; index < POSTS; index++) {
      publish(
          event(
              prefix + index,
              "post number " + index + " about " + (index % 3 == 0 ? "cats" : "sunsets"),
              comment("c" + index, index % 2 == 0 ? "love it" : "meh")));
    }
  }

  /** Lets submitted posts finish scoring: see {@link TopologyTestKit#settle}. */
  private void settle() {
    TopologyTestKit.settle(
        driver,
        scorer,
        DELAY,
        Duration.ofSeconds(30),
        () ->
            scores.getQueueSize() + (candidateScores == null ? 0 : candidateScores.getQueueSize()));
  }

  private static Map<String, EngagementScore> byPost(List<EngagementScore> records) {
    Map<String, EngagementScore> posts = new HashMap<>();
    records.forEach(record -> posts.put(record.getPostId(), record));
    return posts;
  }

  @Test
  void shouldScoreTheSampledShareWithTheCandidateAndLeaveTheServedScoresAsTheyWere() {
    // What the served topic says without any candidate: the same posts must score the same.
    startTopology(NO_CANDIDATE, 0, false);
    publishPosts("p");
    settle();
    Map<String, EngagementScore> alone = byPost(scores.readValuesToList());
    driver.close();
    driver = null;
    MockSchemaRegistry.dropScope(SCOPE);

    loadCandidate("tiny-2");
    CandidateSampler sampler = new CandidateSampler(0.5);
    startTopology(TOPICS, 0.5, false);
    publishPosts("p");
    settle();

    Map<String, EngagementScore> served = byPost(scores.readValuesToList());
    List<CandidateScore> shadow = candidateScores.readValuesToList();
    assertThat(served).hasSize(POSTS);
    served.forEach(
        (postId, score) -> {
          assertThat(score.getModelVersion()).isEqualTo("tiny-1");
          // Equal up to float rounding: the micro-batches of the two runs hold other posts, and a
          // batched forward pass does not round identically at every batch size.
          assertThat(score.getEngagementScore())
              .isEqualTo(alone.get(postId).getEngagementScore(), within());
          assertThat(score.getCleanedText()).isEqualTo(alone.get(postId).getCleanedText());
        });
    TreeSet<String> sampled =
        served.keySet().stream()
            .filter(sampler::sampled)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(sampled).isNotEmpty().hasSizeLessThan(POSTS);
    TreeSet<String> shadowed =
        shadow.stream()
            .map(CandidateScore::getPostId)
            .collect(Collectors.toCollection(TreeSet<String>::new));
    assertThat(shadowed).isEqualTo(sampled);
    assertThat(shadow).hasSize(sampled.size());
    for (CandidateScore score : shadow) {
      EngagementScore servedScore = served.get(score.getPostId());
      assertThat(score.getModelVersion()).isEqualTo("tiny-2");
      assertThat(score.getServedModelVersion()).isEqualTo("tiny-1");
      assertThat(score.getServedEngagementScore()).isEqualTo(servedScore.getEngagementScore());
      assertThat(score.getPostVersion()).isEqualTo(servedScore.getPostVersion());
      // The candidate has the served model's weights: the same scores, computed again.
      assertThat(score.getEngagementScore()).isEqualTo(servedScore.getEngagementScore(), within());
    }
    CandidateComparison.Snapshot compared = comparison.snapshot();
    assertThat(compared.servedVersion()).isEqualTo("tiny-1");
    assertThat(compared.candidateVersion()).isEqualTo("tiny-2");
    assertThat(compared.published()).isEqualTo(sampled.size());
    assertThat(compared.late()).isZero();
    assertThat(compared.rankCorrelation()).isEqualTo(1.0, within());
    assertThat(
            registry
                .get("engagement.candidate.posts")
                .tags("outcome", "published", "candidate_version", "tiny-2")
                .counter()
                .count())
        .isEqualTo(sampled.size());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }

  @Test
  void shouldServeTheCandidateAfterPromotionAndScoreNothingMoreInTheShadow() {
    loadCandidate("tiny-2");
    startTopology(TOPICS, 1.0, false);
    publishPosts("before-");
    settle();
    assertThat(candidateScores.readValuesToList()).hasSize(POSTS);
    assertThat(scores.readValuesToList()).allMatch(s -> s.getModelVersion().equals("tiny-1"));

    assertThat(scorer.promoteCandidate()).isPresent();
    publishPosts("after-");
    settle();

    List<EngagementScore> after = scores.readValuesToList();
    assertThat(after).hasSize(POSTS).allMatch(s -> s.getModelVersion().equals("tiny-2"));
    assertThat(candidateScores.isEmpty()).isTrue();
    assertThat(scorer.candidate()).isEmpty();
  }

  @Test
  void shouldScoreEveryStoredPostOnceWithTheNewModelAfterAModelChange() {
    startTopology(NO_CANDIDATE, 0, true);
    publishPosts("p");
    settle();
    assertThat(scores.readValuesToList()).hasSize(POSTS);
    KeyValueStore<String, RescorePass> passes =
        driver.getKeyValueStore(ScoringTopology.RESCORE_PROGRESS_STORE);
    // The first pass is for the version that scored every post: nothing to score again.
    assertThat(passes.get(StoredPostRescorer.PASS_KEY).getFinished()).isTrue();
    assertThat(passes.get(StoredPostRescorer.PASS_KEY).getTargetVersion()).isEqualTo("tiny-1");

    scorer.replace(
        ServedModels.load(
            BundleFixtures.tinyWithVersion(bundles.resolve("tiny-2"), "tiny-2"), registry));
    // A live change of one post during the pass: it is scored live, not a second time.
    publish(event("p3", null, comment("c-new", "changed during the pass")));
    settle();

    List<EngagementScore> rescored = scores.readValuesToList();
    Map<String, Long> perPost =
        rescored.stream()
            .collect(Collectors.groupingBy(EngagementScore::getPostId, Collectors.counting()));
    assertThat(perPost).hasSize(POSTS).allSatisfy((postId, count) -> assertThat(count).isOne());
    assertThat(rescored).allMatch(s -> s.getModelVersion().equals("tiny-2"));
    RescorePass pass = passes.get(StoredPostRescorer.PASS_KEY);
    assertThat(pass.getTargetVersion()).isEqualTo("tiny-2");
    assertThat(pass.getFinished()).isTrue();
    assertThat(pass.getDone()).isEqualTo(POSTS);
    assertThat(pass.getTotal()).isEqualTo(POSTS);
    RescoreProgress.Snapshot snapshot = progress.snapshot();
    assertThat(snapshot.done()).isEqualTo(POSTS);
    assertThat(snapshot.running()).isZero();
    assertThat(
            registry.get("engagement.rescore.posts").tag("outcome", "rescored").counter().count())
        .isEqualTo(POSTS - 1);

    // Nothing more for the same version.
    settle();
    assertThat(scores.isEmpty()).isTrue();
  }
}
