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
import java.util.List;
import java.util.function.Supplier;

/**
 * Scores a batch of prepared posts on one worker thread: all comments of the batch go through the
 * sentiment classifier in length-sorted chunks (so little padding is computed), then one regressor
 * forward pass scores every post.
 */
public final class BatchScorer
    implements MicroBatcher.BatchProcessor<PreparedPost, EngagementPrediction> {
  private final EngagementModel model;
  private final InferenceSession session;
  private final SentimentAggregator sentiment;
  private final int sentimentBatchSize;
  private final Timer sentimentTime;
  private final Timer regressorTime;
  private final Counter scored;

  /** A scorer with its own inference session on {@code model}. */
  public BatchScorer(EngagementModel model, int sentimentBatchSize, MeterRegistry registry) {
    this.model = model;
    this.session = model.newSession();
    this.sentiment = new SentimentAggregator(model.manifest().sentiment());
    this.sentimentBatchSize = sentimentBatchSize;
    this.sentimentTime = inferenceTimer(registry, "sentiment");
    this.regressorTime = inferenceTimer(registry, "regressor");
    this.scored =
        Counter.builder("engagement.items.scored")
            .description("Posts scored by the model")
            .register(registry);
  }

  /** Creates a scorer per call, for {@link MicroBatcher}'s workers. */
  public static Supplier<BatchScorer> factory(
      EngagementModel model, int sentimentBatchSize, MeterRegistry registry) {
    return () -> new BatchScorer(model, sentimentBatchSize, registry);
  }

  private static Timer inferenceTimer(MeterRegistry registry, String stage) {
    return Timer.builder("engagement.inference.time")
        .tag("model", stage)
        .description("Time of one forward pass")
        .publishPercentileHistogram()
        .register(registry);
  }

  @Override
  public List<EngagementPrediction> process(List<PreparedPost> posts) {
    List<SentimentAggregator.Summary> summaries = sentimentOf(posts);
    float[] scores =
        regressorTime.record(() -> session.engagementScores(regressorBatch(posts, summaries)));
    String version = model.manifest().version();
    List<EngagementPrediction> predictions = new ArrayList<>(posts.size());
    for (int index = 0; index < posts.size(); index++) {
      PreparedPost post = posts.get(index);
      predictions.add(
          new EngagementPrediction(
              scores[index],
              summaries.get(index).score(),
              post.cleanedText(),
              post.commentTokens().size(),
              version));
    }
    scored.increment(posts.size());
    return predictions;
  }

  /** The sentiment summaries of each post, computed over all the batch's comments at once. */
  List<SentimentAggregator.Summary> sentimentOf(List<PreparedPost> posts) {
    List<long[]> sequences = new ArrayList<>();
    for (PreparedPost post : posts) {
      sequences.addAll(post.commentTokens());
    }
    float[][] logits = sentimentLogits(sequences);
    List<SentimentAggregator.Summary> summaries = new ArrayList<>(posts.size());
    int offset = 0;
    for (PreparedPost post : posts) {
      int count = post.commentTokens().size();
      summaries.add(sentiment.summarize(Arrays.asList(logits).subList(offset, offset + count)));
      offset += count;
    }
    return summaries;
  }

  private float[][] sentimentLogits(List<long[]> sequences) {
    Integer[] order = new Integer[sequences.size()];
    for (int index = 0; index < order.length; index++) {
      order[index] = index;
    }
    Arrays.sort(order, Comparator.comparingInt(index -> sequences.get(index).length));
    float[][] logits = new float[sequences.size()][];
    for (int start = 0; start < order.length; start += sentimentBatchSize) {
      int end = Math.min(order.length, start + sentimentBatchSize);
      List<long[]> chunk = new ArrayList<>(end - start);
      for (int position = start; position < end; position++) {
        chunk.add(sequences.get(order[position]));
      }
      float[][] chunkLogits = sentimentTime.record(() -> session.sentimentLogits(chunk));
      for (int position = start; position < end; position++) {
        logits[order[position]] = chunkLogits[position - start];
      }
    }
    return logits;
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
      if (post.pixelValues() != null) {
        System.arraycopy(post.pixelValues(), 0, pixels, row * pixelsPerPost, pixelsPerPost);
      }
      System.arraycopy(post.inputIds(), 0, ids, row * tokens, tokens);
      System.arraycopy(post.attentionMask(), 0, mask, row * tokens, tokens);
      System.arraycopy(
          summaries.get(row).features(), 0, sentimentFeatures, row * features, features);
    }
    return new RegressorBatch(count, pixels, ids, mask, sentimentFeatures);
  }

  @Override
  public void close() {
    session.close();
  }
}
