package io.engagementscorer.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * A post turned into model inputs, ready for a batch. Each input (the text, the image, every
 * comment) carries its content digest and either the features already known for it (reused from the
 * caller or the feature cache) or what the model needs to compute them.
 *
 * @param cleanedText the cleaned text
 * @param text the CLIP text input
 * @param image the image input; {@link ContentDigest#NO_IMAGE} with neither features nor pixels for
 *     a post without an image (the model sees the all-zero image)
 * @param comments each comment's sentiment input, in the post's order
 */
public record PreparedPost(
    String cleanedText, TextInput text, ImageInput image, List<CommentInput> comments) {

  /**
   * The CLIP text input.
   *
   * @param digest sha-256 of the cleaned text, or null when it is not to be reused
   * @param features known text features, or null
   * @param inputIds token ids padded to the text length, or null when the features are known and
   *     the model has parts
   * @param attentionMask ones for tokens, zeros for padding, like {@code inputIds}
   */
  public record TextInput(
      ContentDigest digest, float[] features, long[] inputIds, long[] attentionMask) {}

  /**
   * The image input.
   *
   * @param digest sha-256 of the image bytes, {@link ContentDigest#NO_IMAGE}, or null when it is
   *     not to be reused
   * @param features known image features, or null
   * @param pixelValues normalized CHW image, or null when the features are known or the post has no
   *     image
   */
  public record ImageInput(ContentDigest digest, float[] features, float[] pixelValues) {
    /** Whether the post has no image. */
    public boolean absent() {
      return features == null && pixelValues == null;
    }
  }

  /**
   * One comment's sentiment input.
   *
   * @param digest sha-256 of the comment text, or null when it is not to be reused
   * @param probabilities known class probabilities, or null
   * @param tokens sentiment token ids, unpadded, or null when the probabilities are known
   */
  public record CommentInput(ContentDigest digest, float[] probabilities, long[] tokens) {}

  /**
   * A post of ready tensors that reuses nothing (the self-check's Python tensors, tests).
   *
   * @param pixelValues the normalized image, or null for a post without one
   */
  public static PreparedPost fromTensors(
      String cleanedText,
      long[] inputIds,
      long[] attentionMask,
      float[] pixelValues,
      List<long[]> commentTokens) {
    List<CommentInput> comments = new ArrayList<>(commentTokens.size());
    for (long[] tokens : commentTokens) {
      comments.add(new CommentInput(null, null, tokens));
    }
    return new PreparedPost(
        cleanedText,
        new TextInput(null, null, inputIds, attentionMask),
        new ImageInput(pixelValues == null ? ContentDigest.NO_IMAGE : null, null, pixelValues),
        comments);
  }

  /** The sentiment token ids of each comment (null where the probabilities are known). */
  public List<long[]> commentTokens() {
    List<long[]> tokens = new ArrayList<>(comments.size());
    for (CommentInput comment : comments) {
      tokens.add(comment.tokens());
    }
    return tokens;
  }
}
