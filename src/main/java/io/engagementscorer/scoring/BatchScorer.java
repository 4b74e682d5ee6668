package io.engagementscorer.scoring;

import io.engagementscorer.model.BundleManifest;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.InferenceSession;
import io.engagementscorer.model.RegressorBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Scores a batch of prepared posts on one worker thread, computing only what is not known yet: the
 * comments whose sentiment is unknown go through the classifier together in length-sorted chunks
 * (so little padding is computed); with a bundle in parts, only the images and texts whose features
 * are unknown go through their encoder, each distinct content once, and the head scores every post
 * from features. A bundle without parts runs the monolithic regressor on every post. What a forward
 * pass computed is put in the feature cache once the pass has succeeded.
 */
public final class BatchScorer
    implements MicroBatcher.BatchProcessor<PreparedPost, EngagementPrediction> {
  private final EngagementModel model;
  private final InferenceSession session;
  private final FeatureCache.View cache;
  private final SentimentAggregator sentiment;
  private final int sentimentBatchSize;
  private final Stage sentimentStage;
  private final Stage regressorStage;
  private final Stage imageStage;
  private final Stage textStage;
  private final Stage headStage;
  private final Counter scored;

  /** A timer of one forward pass and a counter of the rows it ran on. */
  private record Stage(Timer time, Counter rows) {}

  /**
   * A scorer with its own inference session on {@code model}, reusing and keeping features in
   * {@code cache} (a view on {@code model}'s entries).
   */
  public BatchScorer(
      EngagementModel model,
      FeatureCache.View cache,
      int sentimentBatchSize,
      MeterRegistry registry) {
    this.model = model;
    this.session = model.newSession();
    this.cache = cache;
    this.sentiment = new SentimentAggregator(model.manifest().sentiment());
    this.sentimentBatchSize = sentimentBatchSize;
    this.sentimentStage = stage(registry, "sentiment");
    this.regressorStage = stage(registry, "regressor");
    this.imageStage = stage(registry, "image_encoder");
    this.textStage = stage(registry, "text_encoder");
    this.headStage = stage(registry, "head");
    this.scored =
        Counter.builder("engagement.items.scored")
            .description("Posts scored by the model")
            .register(registry);
  }

  private static Stage stage(MeterRegistry registry, String model) {
    return new Stage(
        Timer.builder("engagement.inference.time")
            .tag("model", model)
            .description("Time of one forward pass")
            .publishPercentileHistogram()
            .register(registry),
        Counter.builder("engagement.inference.rows")
            .tag("model", model)
            .description("Inputs run through a model: what reuse did not spare")
            .register(registry));
  }

  @Override
  public List<EngagementPrediction> process(List<PreparedPost> posts) {
    List<List<float[]>> probabilities = sentimentOf(posts);
    List<SentimentAggregator.Summary> summaries = new ArrayList<>(posts.size());
    for (List<float[]> post : probabilities) {
      summaries.add(sentiment.summarize(post));
    }
    float[][] imageFeatures = null;
    float[][] textFeatures = null;
    float[] scores;
    if (model.hasRegressorParts()) {
      imageFeatures = imageFeaturesOf(posts);
      textFeatures = textFeaturesOf(posts);
      scores = headScores(imageFeatures, textFeatures, summaries);
    } else {
      RegressorBatch batch = regressorBatch(posts, summaries);
      scores = run(regressorStage, posts.size(), () -> session.engagementScores(batch));
    }
    String version = model.manifest().version();
    List<EngagementPrediction> predictions = new ArrayList<>(posts.size());
    for (int index = 0; index < posts.size(); index++) {
      PreparedPost post = posts.get(index);
      List<ContentDigest> commentDigests = new ArrayList<>(post.comments().size());
      post.comments().forEach(comment -> commentDigests.add(comment.digest()));
      predictions.add(
          new EngagementPrediction(
              new Score(
                  scores[index],
                  summaries.get(index).score(),
                  post.cleanedText(),
                  post.comments().size(),
                  version),
              new PostFeatures(
                  cache.modelKey(),
                  post.image().digest(),
                  imageFeatures == null ? null : imageFeatures[index],
                  post.text().digest(),
                  textFeatures == null ? null : textFeatures[index],
                  commentDigests,
                  probabilities.get(index))));
    }
    scored.increment(posts.size());
    return predictions;
  }

  /** Each post's comment probabilities; unknown ones computed over the whole batch at once. */
  List<List<float[]>> sentimentOf(List<PreparedPost> posts) {
    List<ContentDigest> digests = new ArrayList<>();
    List<float[]> known = new ArrayList<>();
    List<long[]> tokens = new ArrayList<>();
    for (PreparedPost post : posts) {
      for (PreparedPost.CommentInput comment : post.comments()) {
        digests.add(comment.digest());
        known.add(comment.probabilities());
        tokens.add(comment.tokens());
      }
    }
    float[][] all = resolve(FeatureKind.SENTIMENT, digests, known, tokens, this::probabilities);
    List<List<float[]>> perPost = new ArrayList<>(posts.size());
    int offset = 0;
    for (PreparedPost post : posts) {
      int count = post.comments().size();
      perPost.add(Arrays.asList(all).subList(offset, offset + count));
      offset += count;
    }
    return perPost;
  }

  private float[][] imageFeaturesOf(List<PreparedPost> posts) {
    int pixelsPerPost = 3 * model.manifest().image().size() * model.manifest().image().size();
    List<ContentDigest> digests = new ArrayList<>(posts.size());
    List<float[]> known = new ArrayList<>(posts.size());
    List<float[]> pixels = new ArrayList<>(posts.size());
    for (PreparedPost post : posts) {
      digests.add(post.image().digest());
      known.add(post.image().features());
      pixels.add(post.image().pixelValues());
    }
    return resolve(
        FeatureKind.IMAGE,
        digests,
        known,
        pixels,
        images -> {
          float[] batch = new float[images.size() * pixelsPerPost];
          for (int row = 0; row < images.size(); row++) {
            // A post without an image is the all-zero image (the manifest's image.missing).
            if (images.get(row) != null) {
              System.arraycopy(images.get(row), 0, batch, row * pixelsPerPost, pixelsPerPost);
            }
          }
          return run(imageStage, images.size(), () -> session.imageFeatures(batch, images.size()));
        });
  }

  private float[][] textFeaturesOf(List<PreparedPost> posts) {
    int tokens = model.manifest().text().maxTokens();
    List<ContentDigest> digests = new ArrayList<>(posts.size());
    List<float[]> known = new ArrayList<>(posts.size());
    List<PreparedPost.TextInput> texts = new ArrayList<>(posts.size());
    for (PreparedPost post : posts) {
      digests.add(post.text().digest());
      known.add(post.text().features());
      texts.add(post.text());
    }
    return resolve(
        FeatureKind.TEXT,
        digests,
        known,
        texts,
        inputs -> {
          long[] ids = new long[inputs.size() * tokens];
          long[] mask = new long[inputs.size() * tokens];
          for (int row = 0; row < inputs.size(); row++) {
            System.arraycopy(inputs.get(row).inputIds(), 0, ids, row * tokens, tokens);
            System.arraycopy(inputs.get(row).attentionMask(), 0, mask, row * tokens, tokens);
          }
          return run(
              textStage, inputs.size(), () -> session.textFeatures(ids, mask, inputs.size()));
        });
  }

  /**
   * The features of every input: the known ones as given, the others computed in one call of {@code
   * compute}, each distinct digest once (a null digest is never shared), and kept in the cache once
   * computed.
   */
  private <R> float[][] resolve(
      FeatureKind kind,
      List<ContentDigest> digests,
      List<float[]> known,
      List<R> raw,
      Function<List<R>, float[][]> compute) {
    float[][] features = new float[digests.size()][];
    Map<ContentDigest, Integer> firstOf = new HashMap<>();
    List<Integer> missing = new ArrayList<>();
    int[] sameAs = new int[digests.size()];
    Arrays.fill(sameAs, -1);
    for (int index = 0; index < digests.size(); index++) {
      if (known.get(index) != null) {
        features[index] = known.get(index);
        continue;
      }
      ContentDigest digest = digests.get(index);
      Integer first = digest == null ? null : firstOf.putIfAbsent(digest, index);
      if (first == null) {
        missing.add(index);
      } else {
        sameAs[index] = first;
      }
    }
    if (!missing.isEmpty()) {
      List<R> inputs = new ArrayList<>(missing.size());
      missing.forEach(index -> inputs.add(raw.get(index)));
      float[][] computed = compute.apply(inputs);
      for (int position = 0; position < missing.size(); position++) {
        int index = missing.get(position);
        features[index] = computed[position];
        cache.put(kind, digests.get(index), computed[position]);
      }
    }
    for (int index = 0; index < sameAs.length; index++) {
      if (sameAs[index] >= 0) {
        features[index] = features[sameAs[index]];
      }
    }
    return features;
  }

  /** Probabilities of each comment, through the classifier in length-sorted chunks. */
  private float[][] probabilities(List<long[]> sequences) {
    Integer[] order = new Integer[sequences.size()];
    for (int index = 0; index < order.length; index++) {
      order[index] = index;
    }
    Arrays.sort(order, Comparator.comparingInt(index -> sequences.get(index).length));
    float[][] probabilities = new float[sequences.size()][];
    for (int start = 0; start < order.length; start += sentimentBatchSize) {
      int end = Math.min(order.length, start + sentimentBatchSize);
      List<long[]> chunk = new ArrayList<>(end - start);
      for (int position = start; position < end; position++) {
        chunk.add(sequences.get(order[position]));
      }
      float[][] logits = run(sentimentStage, chunk.size(), () -> session.sentimentLogits(chunk));
      for (int position = start; position < end; position++) {
        probabilities[order[position]] =
            SentimentAggregator.probabilities(logits[position - start]);
      }
    }
    return probabilities;
  }

  private float[] headScores(
      float[][] imageFeatures,
      float[][] textFeatures,
      List<SentimentAggregator.Summary> summaries) {
    int count = summaries.size();
    float[] image = InferenceSession.flatten(imageFeatures);
    float[] text = InferenceSession.flatten(textFeatures);
    float[][] sentimentRows = new float[count][];
    for (int row = 0; row < count; row++) {
      sentimentRows[row] = summaries.get(row).features();
    }
    float[] sentimentFeatures = InferenceSession.flatten(sentimentRows);
    return run(headStage, count, () -> session.headScores(image, text, sentimentFeatures, count));
  }

  private RegressorBatch regressorBatch(
      List<PreparedPost> posts, List<SentimentAggregator.Summary> summaries) {
    BundleManifest manifest = model.manifest();
    int pixelsPerPost = 3 * manifest.image().size() * manifest.image().size();
    int tokens = manifest.text().maxTokens();
    int features = manifest.sentiment().features().size();
    int count = posts.size();
    float[] pixels = new float[count * pixelsPerPost];
    long[] ids = new long[count * tokens];
    long[] mask = new long[count * tokens];
    float[] sentimentFeatures = new float[count * features];
    for (int row = 0; row < count; row++) {
      PreparedPost post = posts.get(row);
      if (post.image().pixelValues() != null) {
        System.arraycopy(post.image().pixelValues(), 0, pixels, row * pixelsPerPost, pixelsPerPost);
      }
      System.arraycopy(post.text().inputIds(), 0, ids, row * tokens, tokens);
      System.arraycopy(post.text().attentionMask(), 0, mask, row * tokens, tokens);
      System.arraycopy(
          summaries.get(row).features(), 0, sentimentFeatures, row * features, features);
    }
    return new RegressorBatch(count, pixels, ids, mask, sentimentFeatures);
  }

  private static <T> T run(Stage stage, int rows, Supplier<T> pass) {
    T result = stage.time().record(pass);
    stage.rows().increment(rows);
    return result;
  }

  @Override
  public void close() {
    session.close();
  }
}
