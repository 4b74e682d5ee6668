package io.engagementscorer.preprocess;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns an RGB image into CLIP's {@code pixel_values}: float32, channels first, {@code [3, size,
 * size]}, the same numbers transformers 4.57's {@code CLIPImageProcessor} computes.
 *
 * <p>The steps and their arithmetic follow transformers' {@code image_transforms}: the shortest
 * edge is resized to {@code resizeShortestEdge} and the other to {@code int(edge * long / short)}
 * with Pillow's bicubic filter ({@link PillowResizer}); the centre crop starts at {@code (length -
 * size) // 2}, and where the image is smaller than the crop it is padded with black, the extra
 * pixel of an odd padding going first; the 8-bit values are multiplied by {@code rescaleFactor} in
 * double precision and rounded to float32; then {@code (value - mean) / std} runs in float32. A
 * channel value therefore depends only on its 8-bit input, and a lookup table of those 256 results
 * per channel does the last two steps.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClipImagePreprocessor {
  private static final int CHANNELS = 3;
  private static final int LEVELS = 256;

  private final ImagePreprocessingSpec spec;
  private final float[][] normalized;

  /** A preprocessor with the given settings. */
  public ClipImagePreprocessor(ImagePreprocessingSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.normalized = normalizationTable(spec);
  }

  /** The settings this preprocessor applies. */
  public ImagePreprocessingSpec spec() {
    return spec;
  }

  /**
   * The model input for {@code image}: {@code 3 * size * size} floats, channel by channel (R, G,
   * B), row by row. An image that is not TYPE_INT_RGB is first converted to RGB like Pillow's
   * {@code convert("RGB")}.
   *
   * @throws InvalidInputException with problem {@link InputProblem#INVALID_IMAGE} when the aspect
   *     ratio is so extreme that the resized long edge exceeds {@link Integer#MAX_VALUE}
   */
  public float[] preprocess(BufferedImage image) {
    BufferedImage rgb = RgbConverter.toRgb(image);
    int width = rgb.getWidth();
    int height = rgb.getHeight();
    int resizedWidth = resizedLength(width, height);
    int resizedHeight = resizedLength(height, width);
    int crop = spec.size();
    int left = cropOffset(resizedWidth, crop);
    int top = cropOffset(resizedHeight, crop);
    // Only the part of the resized image that the crop keeps is computed.
    PillowResizer.Window window =
        new PillowResizer.Window(
            Math.max(0, left),
            Math.max(0, top),
            Math.min(resizedWidth, left + crop) - Math.max(0, left),
            Math.min(resizedHeight, top + crop) - Math.max(0, top));
    int[] kept =
        PillowResizer.resize(
            RgbConverter.pixels(rgb), width, height, resizedWidth, resizedHeight, window);
    return toTensor(kept, window, left, top);
  }

  /**
   * The model input for a post without an image: all zeros, which is the normalised mean colour
   * ({@code "missing": "zeros"} in the bundle manifest).
   */
  public float[] missingImage() {
    return new float[CHANNELS * spec.size() * spec.size()];
  }

  // transformers' get_resize_output_image_size(default_to_square=False): the shortest edge gets
  // the requested length, the other int(requested * long / short) in double precision. Called
  // once per axis with the axis' own length first.
  private int resizedLength(int length, int otherLength) {
    int shortestEdge = spec.resizeShortestEdge();
    // A square image gets the requested length on both edges.
    if (length <= otherLength) {
      return shortestEdge;
    }
    double longEdge = (double) ((long) shortestEdge * length) / otherLength;
    if (longEdge > Integer.MAX_VALUE) {
      throw new InvalidInputException(
          InputProblem.INVALID_IMAGE,
          "aspect ratio "
              + length
              + ":"
              + otherLength
              + " is too extreme: the resized long edge would be "
              + (long) longEdge
              + " pixels");
    }
    return (int) longEdge;
  }

  // transformers' center_crop: start at (length - crop) // 2 when the image is at least as large
  // as the crop; otherwise it pads by ceil((crop - length) / 2) first and crops the padded image
  // from 0, so the image starts that far into the crop.
  private static int cropOffset(int length, int crop) {
    return length >= crop ? (length - crop) / 2 : -((crop - length + 1) / 2);
  }

  private float[] toTensor(int[] kept, PillowResizer.Window window, int left, int top) {
    int crop = spec.size();
    int plane = crop * crop;
    float[] tensor = new float[CHANNELS * plane];
    for (int y = 0; y < crop; y++) {
      int keptY = top + y - window.top();
      for (int x = 0; x < crop; x++) {
        int keptX = left + x - window.left();
        boolean inside =
            keptY >= 0 && keptY < window.height() && keptX >= 0 && keptX < window.width();
        // Padding is black before rescaling, as in transformers (np.zeros of the uint8 image).
        int pixel = inside ? kept[keptY * window.width() + keptX] : 0;
        int at = y * crop + x;
        tensor[at] = normalized[0][pixel >>> 16 & 0xFF];
        tensor[plane + at] = normalized[1][pixel >>> 8 & 0xFF];
        tensor[2 * plane + at] = normalized[2][pixel & 0xFF];
      }
    }
    return tensor;
  }

  // rescale: uint8 -> float64 * factor -> float32; normalize: (x - float32(mean)) /
  // float32(std) in float32, exactly as numpy evaluates transformers' expressions.
  private static float[][] normalizationTable(ImagePreprocessingSpec spec) {
    double[] mean = spec.mean();
    double[] std = spec.std();
    float[][] table = new float[CHANNELS][LEVELS];
    for (int channel = 0; channel < CHANNELS; channel++) {
      float channelMean = (float) mean[channel];
      float channelStd = (float) std[channel];
      for (int level = 0; level < LEVELS; level++) {
        float rescaled = (float) (level * spec.rescaleFactor());
        table[channel][level] = (rescaled - channelMean) / channelStd;
      }
    }
    return table;
  }
}
