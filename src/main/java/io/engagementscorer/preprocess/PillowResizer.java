package io.engagementscorer.preprocess;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Bicubic resizing that gives bit-for-bit the pixels of Pillow's {@code Image.resize(size,
 * resample=BICUBIC)} on an 8-bit RGB image, so that the service feeds the model exactly what the
 * Python reference pipeline does.
 *
 * <p>It is a port of Pillow's {@code libImaging/Resample.c}: the bicubic kernel with a = -0.5 and
 * support 2, widened by the scale when shrinking; per-pixel coefficients normalised to sum to one
 * and then converted to fixed point with 22 fractional bits; a horizontal pass then a vertical
 * pass, each skipped when that dimension keeps its size; sums rounded by adding one half and
 * clipped to 0..255. The coefficients are doubles computed in Pillow's order of operations; Java
 * never fuses a multiply and an add, nor does Pillow's x86-64 build (baseline x86-64 has no FMA),
 * so coefficients and pixels agree exactly there.
 */
public final class PillowResizer {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);
  private static final double BICUBIC_A = -0.5;
  private static final double BICUBIC_SUPPORT = 2.0;

  private PillowResizer() {}

  /**
   * {@code image} resized to {@code width} × {@code height}, as a new TYPE_INT_RGB image (a copy
   * even when the size is unchanged, like Pillow). An image of another type is first converted to
   * RGB like Pillow's {@code convert("RGB")}.
   *
   * @throws IllegalArgumentException if {@code width} or {@code height} is not positive
   */
  public static BufferedImage resize(BufferedImage image, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "target size must be positive, got " + width + "x" + height);
    }
    BufferedImage rgb = RgbConverter.toRgb(image);
    int[] pixels =
        resize(
            RgbConverter.pixels(rgb),
            rgb.getWidth(),
            rgb.getHeight(),
            width,
            height,
            new Window(0, 0, width, height));
    BufferedImage resized = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    System.arraycopy(pixels, 0, RgbConverter.pixels(resized), 0, pixels.length);
    return resized;
  }

  /** A rectangle of the resized image; only its pixels are computed. */
  record Window(int left, int top, int width, int height) {}

  /**
   * The {@code window} of the image that resizing {@code source} (0xRRGGBB, row by row) to {@code
   * targetWidth} × {@code targetHeight} gives, as 0xRRGGBB row by row. Each output pixel depends
   * only on its own coordinates, so the window equals the same rectangle cut from the full resize;
   * the centre crop uses this to skip the columns or rows it would throw away.
   */
  static int[] resize(
      int[] source,
      int sourceWidth,
      int sourceHeight,
      int targetWidth,
      int targetHeight,
      Window window) {
    if (targetWidth == sourceWidth && targetHeight == sourceHeight) {
      return copy(source, sourceWidth, window.left(), window.top(), window);
    }
    Kernel vertical = Kernel.bicubic(sourceHeight, targetHeight, window.top(), window.height());
    int firstRow = vertical.firstSourceIndex();
    int[] rows = source;
    int rowsWidth = sourceWidth;
    int rowsFirst = 0;
    int columnOffset = window.left();
    if (targetWidth != sourceWidth) {
      Kernel horizontal = Kernel.bicubic(sourceWidth, targetWidth, window.left(), window.width());
      rows = horizontalPass(source, sourceWidth, firstRow, vertical.endSourceIndex(), horizontal);
      rowsWidth = window.width();
      rowsFirst = firstRow;
      columnOffset = 0;
    }
    if (targetHeight != sourceHeight) {
      return verticalPass(rows, rowsWidth, rowsFirst, columnOffset, window.width(), vertical);
    }
    return copy(rows, rowsWidth, columnOffset, window.top() - rowsFirst, window);
  }

  private static int[] horizontalPass(
      int[] source, int sourceWidth, int firstRow, int endRow, Kernel kernel) {
    int width = kernel.outputCount();
    int[] out = new int[width * (endRow - firstRow)];
    for (int y = firstRow; y < endRow; y++) {
      int sourceRow = y * sourceWidth;
      int outRow = (y - firstRow) * width;
      for (int i = 0; i < width; i++) {
        int start = sourceRow + kernel.starts[i];
        int weights = i * kernel.size;
        int red = HALF;
        int green = HALF;
        int blue = HALF;
        for (int x = 0; x < kernel.counts[i]; x++) {
          int pixel = source[start + x];
          int weight = kernel.weights[weights + x];
          red += (pixel >>> 16 & 0xFF) * weight;
          green += (pixel >>> 8 & 0xFF) * weight;
          blue += (pixel & 0xFF) * weight;
        }
        out[outRow + i] = clip8(red) << 16 | clip8(green) << 8 | clip8(blue);
      }
    }
    return out;
  }

  // Pillow walks rows innermost; the sums are exact integers, so summing row by row over a whole
  // line of accumulators (cache-friendly) gives the same results.
  private static int[] verticalPass(
      int[] rows, int rowsWidth, int rowsFirst, int columnOffset, int width, Kernel kernel) {
    int height = kernel.outputCount();
    int[] out = new int[width * height];
    int[] red = new int[width];
    int[] green = new int[width];
    int[] blue = new int[width];
    for (int i = 0; i < height; i++) {
      Arrays.fill(red, HALF);
      Arrays.fill(green, HALF);
      Arrays.fill(blue, HALF);
      int start = kernel.starts[i] - rowsFirst;
      int weights = i * kernel.size;
      for (int y = 0; y < kernel.counts[i]; y++) {
        int weight = kernel.weights[weights + y];
        int row = (start + y) * rowsWidth + columnOffset;
        for (int x = 0; x < width; x++) {
          int pixel = rows[row + x];
          red[x] += (pixel >>> 16 & 0xFF) * weight;
          green[x] += (pixel >>> 8 & 0xFF) * weight;
          blue[x] += (pixel & 0xFF) * weight;
        }
      }
      int outRow = i * width;
      for (int x = 0; x < width; x++) {
        out[outRow + x] = clip8(red[x]) << 16 | clip8(green[x]) << 8 | clip8(blue[x]);
      }
    }
    return out;
  }

  private static int[] copy(int[] pixels, int pixelsWidth, int left, int top, Window window) {
    int[] out = new int[window.width() * window.height()];
    for (int y = 0; y < window.height(); y++) {
      System.arraycopy(
          pixels, (top + y) * pixelsWidth + left, out, y * window.width(), window.width());
    }
    return out;
  }

  // Pillow's clip8: drop the fraction bits, then clamp (it uses a lookup table for the clamp).
  private static int clip8(int sum) {
    int value = sum >> PRECISION_BITS;
    return value < 0 ? 0 : Math.min(value, 255);
  }

  private static double bicubic(double x) {
    double distance = x < 0.0 ? -x : x;
    if (distance < 1.0) {
      return ((BICUBIC_A + 2.0) * distance - (BICUBIC_A + 3.0)) * distance * distance + 1;
    }
    if (distance < 2.0) {
      return (((distance - 5) * distance + 8) * distance - 4) * BICUBIC_A;
    }
    return 0.0;
  }

  /**
   * The fixed-point weights of Pillow's {@code precompute_coeffs} followed by {@code
   * normalize_coeffs_8bpc}, for the outputs {@code first .. first + outputCount - 1} of one axis:
   * output {@code i} reads {@code counts[i]} source pixels from {@code starts[i]}, weighted by
   * {@code weights[i * size ..]}.
   */
  private static final class Kernel {
    final int size;
    final int[] starts;
    final int[] counts;
    final int[] weights;

    private Kernel(int size, int outputCount) {
      this.size = size;
      this.starts = new int[outputCount];
      this.counts = new int[outputCount];
      this.weights = new int[outputCount * size];
    }

    static Kernel bicubic(int inSize, int outSize, int first, int outputCount) {
      // Pillow passes the box (0, 0, width, height) as C floats: the scale is computed from a
      // float, which matters only beyond 2^24 pixels but costs nothing to copy.
      double scale = (double) (float) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = BICUBIC_SUPPORT * filterScale;
      Kernel kernel = new Kernel((int) Math.ceil(support) * 2 + 1, outputCount);
      double[] raw = new double[kernel.size];
      for (int i = 0; i < outputCount; i++) {
        double center = (first + i + 0.5) * scale;
        double inverseScale = 1.0 / filterScale;
        int start = Math.max(0, (int) (center - support + 0.5));
        int count = Math.min(inSize, (int) (center + support + 0.5)) - start;
        double sum = 0.0;
        for (int x = 0; x < count; x++) {
          double weight = PillowResizer.bicubic((x + start - center + 0.5) * inverseScale);
          raw[x] = weight;
          sum += weight;
        }
        for (int x = 0; x < count; x++) {
          double normalized = sum != 0.0 ? raw[x] / sum : raw[x];
          kernel.weights[i * kernel.size + x] = toFixedPoint(normalized);
        }
        kernel.starts[i] = start;
        kernel.counts[i] = count;
      }
      return kernel;
    }

    // normalize_coeffs_8bpc: round half away from zero.
    private static int toFixedPoint(double weight) {
      return weight < 0
          ? (int) (-0.5 + weight * (1 << PRECISION_BITS))
          : (int) (0.5 + weight * (1 << PRECISION_BITS));
    }

    int outputCount() {
      return starts.length;
    }

    int firstSourceIndex() {
      return starts[0];
    }

    int endSourceIndex() {
      int last = starts.length - 1;
      return starts[last] + counts[last];
    }
  }
}
