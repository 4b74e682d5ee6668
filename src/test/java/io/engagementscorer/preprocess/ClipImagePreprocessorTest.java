package io.engagementscorer.preprocess;

import static io.engagementscorer.preprocess.ImageFixtures.bytes;
import static io.engagementscorer.preprocess.ImageFixtures.referencePixels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClipImagePreprocessorTest {
  private static final int SIZE = 224;

  // Lossless formats: Java and Pillow decode the same 8-bit pixels, the resize is a bit-exact
  // port, and rescale/normalize repeat numpy's float64 -> float32 arithmetic, so the outputs
  // agree exactly (measured: max difference 0 on every fixture). The tolerance only leaves room
  // for float rounding, should an operation ever be reordered.
  private static final double LOSSLESS_TOLERANCE = 1e-5;

  // JPEG: Pillow decodes with its bundled libjpeg-turbo, the JDK with the libjpeg it was built
  // with. Measured on photo_exif6.jpg, and on 4:2:0, 4:2:2, 4:4:4, progressive, greyscale,
  // quality 50 to 95 and odd-sized variants: max |difference| 0, mean 0, because Debian's
  // OpenJDK uses the system libjpeg62-turbo, which decodes like Pillow's (same ISLOW IDCT and
  // fancy upsampling). A JDK that bundles IJG libjpeg 6b may round a few pixels one level apart,
  // so the test allows a few 8-bit levels at some pixels (3/255 / std 0.2613 = 0.045) and a
  // third of a level on average; a wrong rotation, crop or resize is off by about 0.5 on
  // average.
  private static final double JPEG_MAX_TOLERANCE = 0.05;
  private static final double JPEG_MEAN_TOLERANCE = 0.005;

  private final ImageDecoder decoder = new ImageDecoder(40_000_000L);
  private final ClipImagePreprocessor preprocessor =
      new ClipImagePreprocessor(ImagePreprocessingSpec.openAiClip());

  @ParameterizedTest
  @CsvSource({
    "landscape.png, landscape",
    "landscape_alpha.png, landscape",
    "landscape_palette.png, landscape",
    "landscape.bmp, landscape",
    "landscape.gif, landscape",
    "landscape_lossless.webp, landscape",
    "portrait.png, portrait",
    "small.png, small",
  })
  void shouldMatchThePythonReferenceForLosslessFormats(String fixture, String reference) {
    float[] pixels = preprocessor.preprocess(decoder.decode(bytes(fixture)));
    float[] expected = referencePixels(reference);

    assertThat(pixels).hasSameSizeAs(expected);
    assertThat(Difference.between(pixels, expected).max()).isLessThanOrEqualTo(LOSSLESS_TOLERANCE);
  }

  @Test
  void shouldMatchThePythonReferenceForAnExifRotatedJpegWithinTheDecoderTolerance() {
    float[] pixels = preprocessor.preprocess(decoder.decode(bytes("photo_exif6.jpg")));
    float[] reference = referencePixels("photo_exif6");

    assertThat(pixels).hasSameSizeAs(reference);
    Difference difference = Difference.between(pixels, reference);
    assertThat(difference.max()).isLessThanOrEqualTo(JPEG_MAX_TOLERANCE);
    assertThat(difference.mean()).isLessThanOrEqualTo(JPEG_MEAN_TOLERANCE);
  }

  @Test
  void shouldGiveAllZerosForAMissingImage() {
    float[] missing = preprocessor.missingImage();

    assertThat(missing).hasSize(3 * SIZE * SIZE).containsOnly(0f);
  }

  @Test
  void shouldNormaliseWithFloat32ArithmeticLikeNumpy() {
    float[] pixels = preprocessor.preprocess(constantImage(300, 250, 0xFFFFFF));

    // numpy: (float32(1.0) - float32(0.48145466)) / float32(0.26862954) == 1.9303361
    assertThat(pixels[0]).isEqualTo(1.9303361f);
    assertThat(pixels[SIZE * SIZE]).isEqualTo((1f - 0.4578275f) / 0.26130258f);
    assertThat(pixels[2 * SIZE * SIZE]).isEqualTo((1f - 0.40821073f) / 0.27577711f);
  }

  @Test
  void shouldPadLikeTransformersWhenTheImageIsSmallerThanTheCrop() {
    // Shortest edge 4 and crop 8: a 5 x 4 image keeps its size, then transformers pads it with
    // black, ceil(3 / 2) = 2 columns on the left and 2 rows on top (checked against
    // CLIPImageProcessor(size={"shortest_edge": 4}, crop_size=8)).
    ImagePreprocessingSpec spec =
        new ImagePreprocessingSpec(
            8, 4, 1.0 / 255, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5});

    float[] pixels = new ClipImagePreprocessor(spec).preprocess(constantImage(5, 4, 0xFFFFFF));

    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        boolean image = x >= 2 && x < 7 && y >= 2 && y < 6;
        // White normalises to (1 - 0.5) / 0.5 = 1, black padding to -1.
        assertThat(pixels[y * 8 + x]).as("(%d, %d)", x, y).isEqualTo(image ? 1f : -1f);
      }
    }
  }

  @Test
  void shouldPreprocessConcurrentlyWithTheSameResult() throws Exception {
    BufferedImage image = decoder.decode(bytes("portrait.png"));
    float[] expected = preprocessor.preprocess(image);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<float[]>> tasks =
          IntStream.range(0, 16)
              .<Callable<float[]>>mapToObj(i -> () -> preprocessor.preprocess(image))
              .toList();
      for (Future<float[]> result : pool.invokeAll(tasks)) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRejectASpecWithoutThreeChannels() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new ImagePreprocessingSpec(224, 224, 1.0 / 255, new double[2], new double[3]))
        .withMessageContaining("mean");
  }

  @Test
  void shouldRejectASpecWithAZeroStandardDeviation() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new ImagePreprocessingSpec(
                    224, 224, 1.0 / 255, new double[3], new double[] {0.2, 0, 0.2}))
        .withMessageContaining("std");
  }

  @Test
  void shouldKeepTheSpecImmutable() {
    double[] mean = {0.1, 0.2, 0.3};
    ImagePreprocessingSpec spec =
        new ImagePreprocessingSpec(224, 224, 1.0 / 255, mean, new double[] {1, 1, 1});

    mean[0] = 9;
    spec.mean()[1] = 9;

    assertThat(spec.mean()).containsExactly(0.1, 0.2, 0.3);
    assertThat(spec)
        .isEqualTo(
            new ImagePreprocessingSpec(
                224, 224, 1.0 / 255, new double[] {0.1, 0.2, 0.3}, new double[] {1, 1, 1}));
  }

  /** The largest and the mean absolute difference of two equally long arrays. */
  private record Difference(double max, double mean) {
    static Difference between(float[] actual, float[] expected) {
      double max = 0;
      double sum = 0;
      for (int i = 0; i < actual.length; i++) {
        double difference = Math.abs(actual[i] - expected[i]);
        max = Math.max(max, difference);
        sum += difference;
      }
      return new Difference(max, sum / actual.length);
    }
  }

  private static BufferedImage constantImage(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }
}
