package io.engagementscorer.bench;

import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.InferenceSession;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.RegressorBatch;
import io.engagementscorer.model.TokenEncoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The model ceiling that the benchmarks compare the service with: the sentiment and regressor
 * forward passes on ready tensors for posts with {@value #COMMENTS} comments each, so the fastest
 * the model can score with no decoding, preprocessing or transport. Also the sample post the
 * benchmarks send through the service: {@link #TEXT}, {@link #COMMENT_TEXTS} and {@link
 * #samplePng()}.
 */
final class ModelCeiling {
  static final int COMMENTS = 3;
  static final List<String> COMMENT_TEXTS =
      List.of("Wow, so beautiful!", "Amazing shot, where is this?", "Not my favourite colours");
  static final String TEXT = "Golden hour at the harbour #sunset #travel https://x.y/z";

  private ModelCeiling() {}

  /**
   * Median milliseconds of one batch (sentiment for its comments, then the regressor) for each of
   * {@code batchSizes}, each measured for {@code seconds} after a warm-up; prints one line per
   * size.
   */
  static double[] medianBatchMillis(Path bundleDir, int[] batchSizes, double seconds) {
    ModelBundle bundle = ModelBundle.open(bundleDir);
    double[] medians = new double[batchSizes.length];
    try (EngagementModel model = EngagementModel.load(bundle, EngagementModel.selectDevice(false));
        InferenceSession session = model.newSession()) {
      for (int index = 0; index < batchSizes.length; index++) {
        int size = batchSizes[index];
        RegressorBatch batch = readyBatch(model, size);
        List<long[]> comments = new ArrayList<>();
        for (int post = 0; post < size; post++) {
          for (String comment : COMMENT_TEXTS) {
            comments.add(model.sentimentEncoder().encode(comment));
          }
        }
        Runnable forward =
            () -> {
              session.sentimentLogits(comments);
              session.engagementScores(batch);
            };
        medians[index] = medianMillis(forward, seconds);
        System.out.printf("ceiling batch %d: median %.1f ms%n", size, medians[index]);
      }
    }
    return medians;
  }

  /** Posts per second of batches of {@code batchSize} that take {@code medianMillis} each. */
  static double postsPerSecond(int batchSize, double medianMillis) {
    return batchSize / medianMillis * 1000;
  }

  /** The nearest-rank percentile of {@code values}, NaN when there are none. */
  static double percentile(List<Double> values, double percent) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(percent / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /** The sample post's image: a 320x240 PNG of a noisy gradient, the same bytes every time. */
  static byte[] samplePng() throws IOException {
    return samplePng(0);
  }

  /** The sample image with its first pixel set from {@code variant}: another image per variant. */
  static byte[] samplePng(int variant) throws IOException {
    BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(7);
    for (int y = 0; y < 240; y++) {
      for (int x = 0; x < 320; x++) {
        int noise = random.nextInt(32);
        image.setRGB(x, y, (200 + noise / 2) << 16 | (x * 160 / 320 + noise) << 8 | (y / 3));
      }
    }
    if (variant != 0) {
      image.setRGB(0, 0, variant & 0xFFFFFF);
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    return png.toByteArray();
  }

  private static RegressorBatch readyBatch(EngagementModel model, int size) {
    int side = model.manifest().image().size();
    int tokens = model.manifest().text().maxTokens();
    int features = model.manifest().sentiment().features().size();
    Random random = new Random(42);
    float[] pixels = new float[size * 3 * side * side];
    for (int index = 0; index < pixels.length; index++) {
      pixels[index] = (float) random.nextGaussian();
    }
    TokenEncoder encoder = model.textEncoder();
    long[] encoded = encoder.encode("golden hour at the harbour sunset travel");
    long[] ids = new long[size * tokens];
    long[] mask = new long[size * tokens];
    for (int row = 0; row < size; row++) {
      System.arraycopy(encoder.pad(encoded, tokens), 0, ids, row * tokens, tokens);
      System.arraycopy(
          TokenEncoder.attentionMask(encoded.length, tokens), 0, mask, row * tokens, tokens);
    }
    float[] sentiment = new float[size * features];
    Arrays.fill(sentiment, 1f / features);
    return new RegressorBatch(size, pixels, ids, mask, sentiment);
  }

  private static double medianMillis(Runnable work, double seconds) {
    for (int warmup = 0; warmup < 3; warmup++) {
      work.run();
    }
    List<Double> millis = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end || millis.size() < 5) {
      long start = System.nanoTime();
      work.run();
      millis.add((System.nanoTime() - start) / 1e6);
    }
    return percentile(millis, 50);
  }
}
