package io.engagementscorer.bench;

import ai.djl.Device;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.TokenEncoder;
import io.engagementscorer.preprocess.ClipImagePreprocessor;
import io.engagementscorer.preprocess.ImageDecoder;
import io.engagementscorer.preprocess.TextCleaner;
import io.engagementscorer.scoring.FeatureCache;
import io.engagementscorer.scoring.PostContent;
import io.engagementscorer.scoring.PostLimits;
import io.engagementscorer.scoring.PostPreparer;
import io.engagementscorer.scoring.PreparedPost;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU cost of preparing one post for the model, on one thread, so each figure is the time of
 * one core: decoding a 1080x1080 JPEG and a 1280x720 PNG, resizing and normalising each to the
 * model's 224x224 tensor, cleaning and tokenizing a post text, tokenizing 10 comments, and the
 * whole post through the service's own {@link PostPreparer} (which adds the content digests). Every
 * step runs the classes the service runs, loaded from the bundle; nothing is reused between
 * operations (no feature cache). Fetching an image by reference is not included: that is I/O, not
 * CPU.
 *
 * <p>Run with {@code ops/prep-bench.sh [bundle-dir]}; the results and the sizing rule are in {@code
 * docs/benchmarks.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class PreparationBenchmark {
  /** Comments per post, as in the sizing example of the benchmarks page. */
  static final int COMMENTS = 10;

  private static final int JPEG_SIZE = 1080;
  private static final int PNG_WIDTH = 1280;
  private static final int PNG_HEIGHT = 720;
  private static final float JPEG_QUALITY = 0.9f;
  private static final long SEED = 20261202L;

  private static final String POST_TEXT =
      "Golden hour at the lake again 🌅 Couldn't resist stopping on the way home. Who else loves"
          + " these evenings? #sunset #nature #photography @lakeside_views https://example.com/p/42";

  private static final List<String> COMMENT_TEXTS =
      List.of(
          "Wow, this is stunning!",
          "Where exactly is this? I need to go there this summer.",
          "The colours are unreal 😍",
          "Great shot, what camera did you use?",
          "Not my favourite of yours, the horizon looks a bit tilted.",
          "Beautiful! Saving this one.",
          "I was there last week, the light really is like that.",
          "meh, seen better",
          "This made my day, thank you for sharing ❤️",
          "Can you post the unedited version too?");

  /** The model bundle whose tokenizers and image settings are used. */
  @Param("models/tiny")
  public String bundle;

  private EngagementModel model;
  private PostPreparer preparer;
  private ImageDecoder decoder;
  private ClipImagePreprocessor imagePreprocessor;
  private TokenEncoder textEncoder;
  private TokenEncoder sentimentEncoder;
  private byte[] jpeg;
  private byte[] png;
  private BufferedImage decodedJpeg;
  private BufferedImage decodedPng;

  /** Loads the bundle on the CPU and encodes the two images. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    model = EngagementModel.load(ModelBundle.open(Path.of(bundle)), Device.cpu());
    PostLimits limits = serviceDefaultLimits();
    preparer =
        new PostPreparer(model, limits, FeatureCache.disabled().forModel(model.featureKey()));
    decoder = new ImageDecoder(limits.maxImagePixels());
    imagePreprocessor = PostPreparer.imagePreprocessorOf(model);
    textEncoder = model.textEncoder();
    sentimentEncoder = model.sentimentEncoder();
    jpeg = encodeJpeg(photoLike(JPEG_SIZE, JPEG_SIZE));
    png = encodePng(graphicLike(PNG_WIDTH, PNG_HEIGHT));
    decodedJpeg = decoder.decode(jpeg);
    decodedPng = decoder.decode(png);
    System.out.printf(
        "%nJPEG %dx%d: %d bytes; PNG %dx%d: %d bytes; %d comments; bundle %s%n",
        JPEG_SIZE, JPEG_SIZE, jpeg.length, PNG_WIDTH, PNG_HEIGHT, png.length, COMMENTS, bundle);
  }

  /** Closes the model. */
  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  /** Decoding the 1080x1080 JPEG to upright RGB. */
  @Benchmark
  public BufferedImage decodeJpeg() {
    return decoder.decode(jpeg);
  }

  /** Decoding the 1280x720 PNG to upright RGB. */
  @Benchmark
  public BufferedImage decodePng() {
    return decoder.decode(png);
  }

  /** The decoded JPEG resized (bicubic), centre-cropped and normalised to the 224x224 tensor. */
  @Benchmark
  public float[] resizeNormalizeJpeg() {
    return imagePreprocessor.preprocess(decodedJpeg);
  }

  /** The decoded PNG resized (bicubic), centre-cropped and normalised to the 224x224 tensor. */
  @Benchmark
  public float[] resizeNormalizePng() {
    return imagePreprocessor.preprocess(decodedPng);
  }

  /** The post text cleaned, tokenized and padded with its attention mask, as the preparer does. */
  @Benchmark
  public void cleanTokenizeText(Blackhole sink) {
    long[] tokens = textEncoder.encode(TextCleaner.clean(POST_TEXT));
    int length = textEncoder.maxTokens();
    sink.consume(textEncoder.pad(tokens, length));
    sink.consume(TokenEncoder.attentionMask(tokens.length, length));
  }

  /** The post's 10 comments tokenized for the sentiment model. */
  @Benchmark
  public long[][] tokenizeComments() {
    long[][] tokens = new long[COMMENTS][];
    for (int index = 0; index < COMMENTS; index++) {
      tokens[index] = sentimentEncoder.encode(COMMENT_TEXTS.get(index));
    }
    return tokens;
  }

  /** A whole post (text, the JPEG, 10 comments) through the service's preparer. */
  @Benchmark
  public PreparedPost wholePostJpeg() {
    return preparer.prepare(new PostContent(POST_TEXT, jpeg, COMMENT_TEXTS));
  }

  /** A whole post (text, the PNG, 10 comments) through the service's preparer. */
  @Benchmark
  public PreparedPost wholePostPng() {
    return preparer.prepare(new PostContent(POST_TEXT, png, COMMENT_TEXTS));
  }

  /** A whole post without an image (text, 10 comments) through the service's preparer. */
  @Benchmark
  public PreparedPost wholePostNoImage() {
    return preparer.prepare(new PostContent(POST_TEXT, null, COMMENT_TEXTS));
  }

  // The limits the service applies with no configuration, so the preparer checks what it checks
  // in production.
  private static PostLimits serviceDefaultLimits() {
    ServiceConfig defaults = ServiceConfig.fromEnv(Map.of());
    return new PostLimits(
        defaults.maxTextLength(),
        defaults.maxComments(),
        defaults.maxCommentLength(),
        defaults.maxImageBytes(),
        defaults.maxImagePixels());
  }

  // A photograph's worth of detail for the JPEG encoder: a sky-like gradient, soft shapes, and
  // sensor-like noise, from a fixed seed so every run decodes the same bytes.
  private static BufferedImage photoLike(int width, int height) {
    BufferedImage image = shapes(width, height, new Random(SEED));
    Random noise = new Random(SEED + 1);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = image.getRGB(x, y);
        int shift = noise.nextInt(13) - 6;
        image.setRGB(
            x,
            y,
            clamp((rgb >> 16 & 0xFF) + shift) << 16
                | clamp((rgb >> 8 & 0xFF) + shift) << 8
                | clamp((rgb & 0xFF) + shift));
      }
    }
    return image;
  }

  // A graphic or screenshot, the usual content of a PNG post: flat colours and sharp edges.
  private static BufferedImage graphicLike(int width, int height) {
    return shapes(width, height, new Random(SEED + 2));
  }

  private static BufferedImage shapes(int width, int height, Random random) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    try {
      graphics.setPaint(
          new GradientPaint(0, 0, new Color(40, 90, 170), 0, height, new Color(250, 170, 90)));
      graphics.fillRect(0, 0, width, height);
      for (int shape = 0; shape < 60; shape++) {
        graphics.setColor(new Color(random.nextInt(0x1000000)));
        int x = random.nextInt(width);
        int y = random.nextInt(height);
        int w = 20 + random.nextInt(width / 4);
        int h = 20 + random.nextInt(height / 4);
        if (random.nextBoolean()) {
          graphics.fillOval(x, y, w, h);
        } else {
          graphics.fillRect(x, y, w, h);
        }
      }
    } finally {
      graphics.dispose();
    }
    return image;
  }

  private static int clamp(int level) {
    return Math.max(0, Math.min(255, level));
  }

  private static byte[] encodeJpeg(BufferedImage image) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(JPEG_QUALITY);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static byte[] encodePng(BufferedImage image) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", bytes)) {
      throw new IOException("No PNG writer");
    }
    return bytes.toByteArray();
  }
}
