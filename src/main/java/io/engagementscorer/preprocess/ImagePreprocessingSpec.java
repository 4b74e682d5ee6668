package io.engagementscorer.preprocess;

import java.util.Arrays;

/**
 * The CLIP image preprocessing settings of a model bundle (the {@code image} section of {@code
 * manifest.json}): resize so the shortest edge is {@code resizeShortestEdge} (bicubic), centre-crop
 * to {@code size} × {@code size}, multiply by {@code rescaleFactor}, then normalise each channel
 * with {@code mean} and {@code std}.
 *
 * <p>{@code mean} and {@code std} are kept as the doubles the manifest's JSON holds: HuggingFace
 * rounds them to float32 only when it normalises, and so does {@link ClipImagePreprocessor}.
 * Parsing them straight to float could round some decimal values differently. The arrays are copied
 * in and out, so the record stays immutable.
 *
 * @param size the side of the square model input, the crop size
 * @param resizeShortestEdge the length of the shortest edge after resizing
 * @param rescaleFactor the factor applied to 0..255 pixel values, usually 1/255
 * @param mean the per-channel (RGB) mean subtracted after rescaling
 * @param std the per-channel (RGB) standard deviation divided by after subtracting the mean
 */
public record ImagePreprocessingSpec(
    int size, int resizeShortestEdge, double rescaleFactor, double[] mean, double[] std) {

  /** The image side of OpenAI's CLIP models. */
  public static final int CLIP_SIZE = 224;

  private static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  private static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

  /**
   * Validates and copies the settings.
   *
   * @throws IllegalArgumentException naming the setting and the value it got when one is out of
   *     range
   */
  public ImagePreprocessingSpec {
    requirePositive("size", size);
    requirePositive("resizeShortestEdge", resizeShortestEdge);
    if (!(rescaleFactor > 0) || Double.isInfinite(rescaleFactor)) {
      throw new IllegalArgumentException(
          "rescaleFactor must be a positive number, got " + rescaleFactor);
    }
    mean = requireRgb("mean", mean);
    std = requireRgb("std", std);
    for (double value : std) {
      if (!(value > 0)) {
        throw new IllegalArgumentException(
            "std must be positive in every channel, got " + Arrays.toString(std));
      }
    }
  }

  /**
   * The settings of transformers' {@code CLIPImageProcessor()} defaults: 224, shortest edge 224,
   * 1/255 and OpenAI's CLIP mean and std.
   */
  public static ImagePreprocessingSpec openAiClip() {
    return new ImagePreprocessingSpec(
        CLIP_SIZE, CLIP_SIZE, 1.0 / 255, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD);
  }

  /** A copy of the per-channel mean. */
  @Override
  public double[] mean() {
    return mean.clone();
  }

  /** A copy of the per-channel standard deviation. */
  @Override
  public double[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImagePreprocessingSpec that
        && size == that.size
        && resizeShortestEdge == that.resizeShortestEdge
        && Double.compare(rescaleFactor, that.rescaleFactor) == 0
        && Arrays.equals(mean, that.mean)
        && Arrays.equals(std, that.std);
  }

  @Override
  public int hashCode() {
    int result = Integer.hashCode(size);
    result = 31 * result + Integer.hashCode(resizeShortestEdge);
    result = 31 * result + Double.hashCode(rescaleFactor);
    result = 31 * result + Arrays.hashCode(mean);
    return 31 * result + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "ImagePreprocessingSpec[size="
        + size
        + ", resizeShortestEdge="
        + resizeShortestEdge
        + ", rescaleFactor="
        + rescaleFactor
        + ", mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + "]";
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static double[] requireRgb(String name, double[] values) {
    if (values == null || values.length != 3) {
      throw new IllegalArgumentException(
          name + " must have 3 values (R, G, B), got " + Arrays.toString(values));
    }
    for (double value : values) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException(
            name + " must be finite, got " + Arrays.toString(values));
      }
    }
    return values.clone();
  }
}
