package io.engagementscorer.preprocess;

import static io.engagementscorer.preprocess.ImageFixtures.rgbOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hand-checkable cases of the Pillow port; its bit-exactness on real images is shown by the parity
 * tests of {@link ClipImagePreprocessorTest}.
 */
class PillowResizerTest {

  @Test
  void shouldReturnAnEqualCopyWhenTheSizeIsUnchanged() {
    BufferedImage image = randomImage(17, 9, 1);

    BufferedImage resized = PillowResizer.resize(image, 17, 9);

    assertThat(resized).isNotSameAs(image);
    assertThat(rgbOf(resized)).isEqualTo(rgbOf(image));
  }

  @ParameterizedTest
  @CsvSource({"64, 48, 32, 24", "64, 48, 17, 5", "10, 6, 33, 21", "7, 7, 7, 30", "30, 5, 3, 5"})
  void shouldKeepAConstantImageConstant(int width, int height, int newWidth, int newHeight) {
    // The normalised weights of every output pixel sum to one (up to fixed-point rounding that
    // the + 0.5 rounding absorbs), whatever the scale.
    BufferedImage constant = imageOf(width, height, 0x7F3A10);

    BufferedImage resized = PillowResizer.resize(constant, newWidth, newHeight);

    assertThat(rgbOf(resized)).containsOnly(0x7F3A10);
  }

  @Test
  void shouldWeightPixelsWithTheWidenedBicubicKernelWhenHalving() {
    // 4 -> 2: scale 2, so the kernel is stretched to support 4. The first output is centred at
    // 1.0 and reads all four inputs at distances 0.25, 0.25, 0.75 and 1.25 (in kernel units),
    // weighted 0.8671875, 0.8671875, 0.2265625 and -0.0703125 (sum 1.890625): a lone 255 in
    // the second input gives 255 * 0.8671875 / 1.890625 = 116.96..., 117 after fixed-point
    // rounding. The second output sees it at distance 0.75: 255 * 0.2265625 / 1.890625 = 30.56,
    // which rounds to 31. Pillow gives [117, 31].
    BufferedImage row = imageOf(4, 1, 0);
    row.setRGB(1, 0, 0xFFFFFF);

    assertThat(redChannel(PillowResizer.resize(row, 2, 1))).containsExactly(117, 31);
  }

  @Test
  void shouldResampleColumnsLikeRows() {
    BufferedImage column = imageOf(1, 4, 0);
    column.setRGB(0, 1, 0xFFFFFF);

    assertThat(redChannel(PillowResizer.resize(column, 1, 2))).containsExactly(117, 31);
  }

  @Test
  void shouldClipTheOvershootOfAnEdgeWhenEnlarging() {
    // 2 -> 4: output 0 is centred at 0.25 and weighs the inputs 0.8671875 and -0.0703125, so a
    // step from 0 to 255 undershoots to -22.5 and is clipped to 0 (and symmetrically to 255);
    // output 1 gives 255 * 0.2265625 / 1.09375 = 52.8, i.e. 53. Pillow gives [0, 53, 202, 255].
    BufferedImage step = imageOf(2, 1, 0);
    step.setRGB(1, 0, 0xFFFFFF);

    assertThat(redChannel(PillowResizer.resize(step, 4, 1))).containsExactly(0, 53, 202, 255);
  }

  @Test
  void shouldResampleEachChannelIndependently() {
    BufferedImage row = imageOf(4, 1, 0);
    row.setRGB(1, 0, 0xFF0000);
    row.setRGB(2, 0, 0x00FF00);

    int[] resized = rgbOf(PillowResizer.resize(row, 2, 1));

    // Red as in the halving case; green mirrors it; blue stays 0.
    assertThat(resized).containsExactly(117 << 16 | 31 << 8, 31 << 16 | 117 << 8);
  }

  @ParameterizedTest
  @CsvSource({"31, 40", "300, 40"})
  void shouldResizeExactlyLikePillow(int width, int height) {
    // 241 x 319 to 31 x 40 shrinks about 8 times (kernels 33 taps wide); to 300 x 40 stretches
    // the width and shrinks the height.
    BufferedImage portrait =
        new ImageDecoder(1_000_000).decode(ImageFixtures.bytes("portrait.png"));

    BufferedImage resized = PillowResizer.resize(portrait, width, height);

    assertThat(rgbOf(resized))
        .isEqualTo(ImageFixtures.referenceRgb("portrait_" + width + "x" + height));
  }

  @Test
  void shouldComputeAWindowEqualToTheSameRectangleOfTheFullResize() {
    BufferedImage image = randomImage(53, 41, 7);
    int[] source = rgbOf(image);
    int[][] sizes = {{30, 20}, {120, 90}, {53, 70}, {20, 41}, {53, 41}};
    for (int[] size : sizes) {
      int[] full =
          PillowResizer.resize(
              source, 53, 41, size[0], size[1], new PillowResizer.Window(0, 0, size[0], size[1]));
      PillowResizer.Window window =
          new PillowResizer.Window(size[0] / 4, size[1] / 3, size[0] / 2, size[1] / 2);

      int[] part = PillowResizer.resize(source, 53, 41, size[0], size[1], window);

      for (int y = 0; y < window.height(); y++) {
        for (int x = 0; x < window.width(); x++) {
          assertThat(part[y * window.width() + x])
              .isEqualTo(full[(window.top() + y) * size[0] + window.left() + x]);
        }
      }
    }
  }

  @Test
  void shouldRefuseAnEmptyTargetSize() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PillowResizer.resize(imageOf(2, 2, 0), 0, 2))
        .withMessageContaining("0x2");
  }

  private static int[] redChannel(BufferedImage image) {
    return Arrays.stream(rgbOf(image)).map(pixel -> pixel >>> 16).toArray();
  }

  private static BufferedImage imageOf(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  private static BufferedImage randomImage(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    return image;
  }
}
