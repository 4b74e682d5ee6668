package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ModelException;
import io.engagementscorer.model.ModelOrigin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reuse by content on the real tiny bundle (in parts): only what changed is computed. */
class IncrementalScoringTest {
  private static final double SAME_SCORE = 1e-6;
  private static final int BATCH = 32;

  private static EngagementModel model;
  private static BatchScorer fromScratch;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FeatureCache cache = FeatureCache.create(64L << 20, registry);

  @BeforeAll
  static void loadModel() {
    model = EngagementModel.load(ModelBundle.open(BundleFixtures.TINY), Device.cpu());
    fromScratch =
        new BatchScorer(
            model,
            FeatureCache.disabled().forModel(model.featureKey()),
            64,
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void closeModel() {
    fromScratch.close();
    model.close();
  }

  private PostPreparer preparer(FeatureCache.View view) {
    return new PostPreparer(model, ServedModels.LIMITS, view);
  }

  private double rows(String part) {
    var counter = registry.find("engagement.inference.rows").tag("model", part).counter();
    return counter == null ? 0 : counter.count();
  }

  /** A PNG of random noise: every seed gives different bytes and different features. */
  private static byte[] noiseImage(int seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> comments(int post, int count) {
    List<String> comments = new ArrayList<>();
    for (int index = 0; index < count; index++) {
      comments.add("comment " + index + " on post " + post + (index % 2 == 0 ? " great" : " bad"));
    }
    return comments;
  }

  private static List<PreparedPost> prepareAll(PostPreparer preparer, List<PostContent> posts) {
    List<PreparedPost> prepared = new ArrayList<>();
    posts.forEach(post -> prepared.add(preparer.prepare(post)));
    return prepared;
  }

  private static void assertSameAsFromScratch(
      List<PostContent> posts, List<EngagementPrediction> scored) {
    PostPreparer scratch =
        new PostPreparer(
            model, ServedModels.LIMITS, FeatureCache.disabled().forModel(model.featureKey()));
    List<EngagementPrediction> expected = fromScratch.process(prepareAll(scratch, posts));
    for (int index = 0; index < posts.size(); index++) {
      assertThat(scored.get(index).score().engagementScore())
          .as("engagement of post %d", index)
          .isCloseTo(expected.get(index).score().engagementScore(), within(SAME_SCORE));
      assertThat(scored.get(index).score().sentimentScore())
          .as("sentiment of post %d", index)
          .isCloseTo(expected.get(index).score().sentimentScore(), within(SAME_SCORE));
    }
  }

  @Test
  void shouldEncodeOnlyTheNewImagesAndCommentsOfABatchWhereMostPostsOnlyGainedComments() {
    FeatureCache.View view = cache.forModel(model.featureKey());
    PostPreparer preparer = preparer(view);
    List<PostContent> first = new ArrayList<>();
    for (int post = 0; post < BATCH; post++) {
      first.add(new PostContent("post number " + post, noiseImage(post), comments(post, 3)));
    }
    try (BatchScorer scorer = new BatchScorer(model, view, 64, registry)) {
      scorer.process(prepareAll(preparer, first));
      double images = rows("image_encoder");
      double texts = rows("text_encoder");
      double comments = rows("sentiment");
      List<PostContent> second = new ArrayList<>();
      for (int post = 0; post < BATCH; post++) {
        // Every post gains a comment; the last two also get a new image.
        byte[] image = post < BATCH - 2 ? noiseImage(post) : noiseImage(1_000 + post);
        second.add(new PostContent("post number " + post, image, comments(post, 4)));
      }

      List<EngagementPrediction> scored = scorer.process(prepareAll(preparer, second));

      assertThat(rows("image_encoder") - images).isEqualTo(2);
      assertThat(rows("text_encoder") - texts).isZero();
      assertThat(rows("sentiment") - comments).isEqualTo(BATCH);
      assertSameAsFromScratch(second, scored);
    }
  }

  @Test
  void shouldComputeEachDistinctContentOnceInABatch() {
    FeatureCache.View view = cache.forModel(model.featureKey());
    byte[] shared = noiseImage(7);
    List<PostContent> posts = new ArrayList<>();
    for (int post = 0; post < 8; post++) {
      posts.add(new PostContent("the same text", shared, List.of("same comment", "same comment")));
    }
    posts.add(new PostContent("the same text", null, List.of()));
    try (BatchScorer scorer = new BatchScorer(model, view, 64, registry)) {
      List<EngagementPrediction> scored = scorer.process(prepareAll(preparer(view), posts));

      assertThat(rows("image_encoder")).isEqualTo(2); // the shared image and the all-zero image
      assertThat(rows("text_encoder")).isEqualTo(1);
      assertThat(rows("sentiment")).isEqualTo(1);
      assertSameAsFromScratch(posts, scored);
    }
  }

  @Test
  void shouldGiveTheSameAnswerCachedAndColdThroughTheScorerTheHttpApiUses() {
    ServedModel served =
        ServedModel.check(
            EngagementModel.load(ModelBundle.open(BundleFixtures.TINY), Device.cpu()),
            ModelOrigin.local("models/tiny", "test"),
            ServedModels.LIMITS,
            64,
            1e-3,
            cache,
            registry);
    try (EngagementScorer scorer =
        EngagementScorer.start(
            served,
            new BatcherSettings(8, Duration.ofMillis(1), 64, Duration.ofSeconds(30), 1),
            64,
            registry)) {
      PostContent post = new PostContent("Sunset #nature", noiseImage(3), comments(3, 50));
      PostContent withOneMore = new PostContent("Sunset #nature", noiseImage(3), comments(3, 51));
      EngagementPrediction cold = scorer.score(post).join();
      double images = rows("image_encoder");
      double comments = rows("sentiment");

      EngagementPrediction warm = scorer.score(post).join();
      EngagementPrediction oneMore = scorer.score(withOneMore).join();

      assertThat(warm.score().engagementScore()).isEqualTo(cold.score().engagementScore());
      assertThat(warm.score().sentimentScore()).isEqualTo(cold.score().sentimentScore());
      assertThat(rows("image_encoder")).isEqualTo(images);
      assertThat(rows("sentiment") - comments).isEqualTo(1);
      assertSameAsFromScratch(List.of(post, withOneMore), List.of(warm, oneMore));
      assertThat(
              registry
                  .find("engagement.feature.cache.lookups")
                  .tag("cache", "sentiment")
                  .tag("result", "hit")
                  .counter()
                  .count())
          .isEqualTo(50 + 50);
    }
  }

  @Test
  void shouldNeverServeOneModelsFeaturesToAnother(@TempDir Path temp) {
    PostContent post = new PostContent("shared cache", noiseImage(11), List.of("a comment"));
    try (EngagementModel other =
            EngagementModel.load(
                ModelBundle.open(BundleFixtures.tinyWithVersion(temp.resolve("b"), "tiny-b")),
                Device.cpu());
        BatchScorer first =
            new BatchScorer(model, cache.forModel(model.featureKey()), 64, registry);
        BatchScorer second =
            new BatchScorer(other, cache.forModel(other.featureKey()), 64, registry)) {
      first.process(List.of(preparer(cache.forModel(model.featureKey())).prepare(post)));

      second.process(
          List.of(
              new PostPreparer(other, ServedModels.LIMITS, cache.forModel(other.featureKey()))
                  .prepare(post)));

      assertThat(other.featureKey()).isNotEqualTo(model.featureKey());
      assertThat(rows("image_encoder")).isEqualTo(2);
      assertThat(rows("text_encoder")).isEqualTo(2);
      assertThat(rows("sentiment")).isEqualTo(2);
    }
  }

  @Test
  void shouldCacheNothingFromABatchWhoseForwardPassFailed() {
    FeatureCache.View view = cache.forModel(model.featureKey());
    ContentDigest comment = ContentDigest.of("a comment the classifier cannot read");
    PreparedPost good = preparer(view).prepare(new PostContent("text", noiseImage(5), List.of()));
    PreparedPost broken =
        new PreparedPost(
            good.cleanedText(),
            good.text(),
            good.image(),
            // A token id far outside the vocabulary: the classifier's embedding lookup fails.
            List.of(
                new PreparedPost.CommentInput(comment, null, new long[] {2, 1_000_000_000, 3})));
    try (BatchScorer scorer = new BatchScorer(model, view, 64, registry)) {
      assertThatThrownBy(() -> scorer.process(List.of(good, broken)))
          .isInstanceOf(ModelException.class);

      assertThat(cache.bytes()).isZero();
      assertThat(view.get(FeatureKind.SENTIMENT, comment)).isNull();
      assertThat(scorer.process(List.of(good))).hasSize(1);
    }
  }
}
