package io.engagementscorer.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One of the bundle's reference cases: raw inputs and the outputs the Python reference computed.
 *
 * @param name case name
 * @param rawText post text
 * @param image bundle-relative image file, or null
 * @param comments raw comments
 * @param expected what Python computed
 */
public record ReferenceCase(
    String name, String rawText, String image, List<String> comments, Expected expected) {

  /**
   * Python's outputs and intermediate tensors for a case.
   *
   * @param cleanedText the cleaned text
   * @param inputIds CLIP token ids, padded
   * @param attentionMask CLIP attention mask
   * @param pixelValues bundle-relative raw float32 file of the preprocessed image, or null
   * @param sentimentInputIds each comment's sentiment token ids, unpadded
   * @param sentimentLogits each comment's logits
   * @param sentimentFeatures the regressor's sentiment input
   * @param sentimentScore the sentiment score
   * @param engagementScore the engagement score
   */
  public record Expected(
      String cleanedText,
      long[] inputIds,
      long[] attentionMask,
      String pixelValues,
      List<long[]> sentimentInputIds,
      List<float[]> sentimentLogits,
      float[] sentimentFeatures,
      double sentimentScore,
      double engagementScore) {}

  private record CasesFile(List<ReferenceCase> cases) {}

  /** The reference cases of {@code bundle}. */
  public static List<ReferenceCase> readAll(ModelBundle bundle) {
    Path file = bundle.file(bundle.manifest().reference().cases());
    try {
      List<ReferenceCase> cases =
          ModelBundle.MANIFEST_MAPPER.readValue(file.toFile(), CasesFile.class).cases();
      if (cases == null || cases.isEmpty()) {
        throw new ModelException(file + " holds no reference cases");
      }
      return cases;
    } catch (IOException e) {
      throw new ModelException("Cannot read reference cases " + file + ": " + e.getMessage(), e);
    }
  }

  /** The encoded image bytes, or null for a case without an image. */
  public byte[] imageBytes(ModelBundle bundle) {
    return image == null ? null : read(bundle.file(image));
  }

  /** Python's preprocessed image, or null for a case without an image. */
  public float[] pixelValues(ModelBundle bundle) {
    if (expected.pixelValues() == null) {
      return null;
    }
    ByteBuffer bytes =
        ByteBuffer.wrap(read(bundle.file(expected.pixelValues()))).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelException("Cannot read reference file " + file, e);
    }
  }
}
