package io.engagementscorer.model;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import java.util.Arrays;
import java.util.List;

/**
 * One worker thread's predictors for the regressor (whole, and in parts when the bundle has them)
 * and the sentiment classifier. DJL predictors are not thread-safe, so every thread that runs
 * batches owns a session; close it before the model.
 */
public final class InferenceSession implements AutoCloseable {
  private final EngagementModel model;
  private final Predictor<NDList, NDList> regressor;
  private final Predictor<NDList, NDList> sentiment;
  private final RegressorPartModels.Predictors parts;

  InferenceSession(
      EngagementModel model,
      Predictor<NDList, NDList> regressor,
      Predictor<NDList, NDList> sentiment,
      RegressorPartModels.Predictors parts) {
    this.model = model;
    this.regressor = regressor;
    this.sentiment = sentiment;
    this.parts = parts;
  }

  /**
   * Sentiment logits of each sequence, one forward pass for all of them; the caller chunks.
   *
   * @param sequences token ids with special tokens, unpadded
   * @return one row of logits per sequence, in the order of the manifest's labels
   */
  public float[][] sentimentLogits(List<long[]> sequences) {
    BundleManifest.Sentiment settings = model.manifest().sentiment();
    int length = paddedLength(sequences, settings);
    int count = sequences.size();
    long[] ids = new long[count * length];
    long[] mask = new long[count * length];
    for (int row = 0; row < count; row++) {
      long[] sequence = sequences.get(row);
      System.arraycopy(
          model.sentimentEncoder().pad(sequence, length), 0, ids, row * length, length);
      System.arraycopy(
          TokenEncoder.attentionMask(sequence.length, length), 0, mask, row * length, length);
    }
    try (NDManager manager = model.newBatchManager()) {
      Shape shape = new Shape(count, length);
      NDList output =
          predict(sentiment, new NDList(manager.create(ids, shape), manager.create(mask, shape)));
      return rows(output.singletonOrThrow(), count, settings.labels().size(), "sentiment");
    }
  }

  /**
   * Engagement scores of a batch whose inputs are already tensors in row-major order, through the
   * whole regressor or, for a bundle in parts, through the parts.
   *
   * @return one score in [0, 1] per post
   */
  public float[] engagementScores(RegressorBatch batch) {
    if (regressor == null) {
      // A bundle in parts: the image encoder, the text encoder and the head compose the regressor.
      float[] image = flatten(imageFeatures(batch.pixelValues(), batch.size()));
      float[] text = flatten(textFeatures(batch.inputIds(), batch.attentionMask(), batch.size()));
      return headScores(image, text, batch.sentimentFeatures(), batch.size());
    }
    BundleManifest manifest = model.manifest();
    int size = manifest.image().size();
    int tokens = manifest.text().maxTokens();
    int features = manifest.sentiment().features().size();
    int count = batch.size();
    try (NDManager manager = model.newBatchManager()) {
      NDList inputs =
          new NDList(
              manager.create(batch.pixelValues(), new Shape(count, 3, size, size)),
              manager.create(batch.inputIds(), new Shape(count, tokens)),
              manager.create(batch.attentionMask(), new Shape(count, tokens)),
              manager.create(batch.sentimentFeatures(), new Shape(count, features)));
      NDArray scores = predict(regressor, inputs).singletonOrThrow();
      checkShape(scores, new Shape(count), "regressor");
      return scores.toFloatArray();
    }
  }

  /**
   * CLIP image features of {@code count} preprocessed images, through the image encoder part.
   *
   * @param pixelValues {@code [count,3,S,S]} row-major
   * @return one row of {@code regressor_parts.image_feature_size} values per image
   */
  public float[][] imageFeatures(float[] pixelValues, int count) {
    int size = model.manifest().image().size();
    try (NDManager manager = model.newBatchManager()) {
      NDList inputs = new NDList(manager.create(pixelValues, new Shape(count, 3, size, size)));
      return rows(
          predict(requireParts().imageEncoder(), inputs).singletonOrThrow(),
          count,
          model.manifest().regressorParts().imageFeatureSize(),
          "image encoder");
    }
  }

  /**
   * CLIP text features of {@code count} tokenized texts, through the text encoder part.
   *
   * @param inputIds {@code [count,77]} row-major
   * @param attentionMask {@code [count,77]} row-major
   * @return one row of {@code regressor_parts.text_feature_size} values per text
   */
  public float[][] textFeatures(long[] inputIds, long[] attentionMask, int count) {
    int tokens = model.manifest().text().maxTokens();
    try (NDManager manager = model.newBatchManager()) {
      Shape shape = new Shape(count, tokens);
      NDList inputs =
          new NDList(manager.create(inputIds, shape), manager.create(attentionMask, shape));
      return rows(
          predict(requireParts().textEncoder(), inputs).singletonOrThrow(),
          count,
          model.manifest().regressorParts().textFeatureSize(),
          "text encoder");
    }
  }

  /**
   * Engagement scores from features, through the head part: the same scores as {@link
   * #engagementScores} on the inputs the features came from.
   *
   * @param imageFeatures {@code [count,P]} row-major
   * @param textFeatures {@code [count,P]} row-major
   * @param sentimentFeatures {@code [count,F]} row-major
   */
  public float[] headScores(
      float[] imageFeatures, float[] textFeatures, float[] sentimentFeatures, int count) {
    BundleManifest manifest = model.manifest();
    BundleManifest.RegressorParts sizes = manifest.regressorParts();
    int features = manifest.sentiment().features().size();
    try (NDManager manager = model.newBatchManager()) {
      NDList inputs =
          new NDList(
              manager.create(imageFeatures, new Shape(count, sizes.imageFeatureSize())),
              manager.create(textFeatures, new Shape(count, sizes.textFeatureSize())),
              manager.create(sentimentFeatures, new Shape(count, features)));
      NDArray scores = predict(requireParts().head(), inputs).singletonOrThrow();
      checkShape(scores, new Shape(count), "head");
      return scores.toFloatArray();
    }
  }

  private RegressorPartModels.Predictors requireParts() {
    if (parts == null) {
      throw new IllegalStateException(
          "model " + model.manifest().version() + " has no regressor_parts");
    }
    return parts;
  }

  /** Rows of equal width, row-major in one array, as the forward passes take them. */
  public static float[] flatten(float[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * width];
    for (int row = 0; row < rows.length; row++) {
      System.arraycopy(rows[row], 0, flat, row * width, width);
    }
    return flat;
  }

  private static float[][] rows(NDArray output, int count, int width, String which) {
    checkShape(output, new Shape(count, width), which);
    float[] flat = output.toFloatArray();
    float[][] rows = new float[count][];
    for (int row = 0; row < count; row++) {
      rows[row] = Arrays.copyOfRange(flat, row * width, (row + 1) * width);
    }
    return rows;
  }

  private static int paddedLength(List<long[]> sequences, BundleManifest.Sentiment settings) {
    if ("max_length".equals(settings.padding())) {
      return settings.maxTokens();
    }
    int longest = 1;
    for (long[] sequence : sequences) {
      longest = Math.max(longest, sequence.length);
    }
    return longest;
  }

  private static NDList predict(Predictor<NDList, NDList> predictor, NDList inputs) {
    try {
      return predictor.predict(inputs);
    } catch (TranslateException e) {
      throw new ModelException(
          "Inference failed on inputs " + Arrays.toString(inputs.getShapes()), e);
    }
  }

  private static void checkShape(NDArray output, Shape expected, String which) {
    if (!output.getShape().equals(expected)) {
      throw new ModelException(
          "The " + which + " returned shape " + output.getShape() + ", expected " + expected);
    }
  }

  @Override
  public void close() {
    if (regressor != null) {
      regressor.close();
    }
    sentiment.close();
    if (parts != null) {
      parts.close();
    }
  }
}
