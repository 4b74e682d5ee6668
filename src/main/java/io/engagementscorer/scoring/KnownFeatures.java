package io.engagementscorer.scoring;

import java.util.Map;

/**
 * What a caller kept from an earlier score of the same post (the stream keeps it in changelogged
 * state), offered for reuse. It is used only when {@code modelKey} is the key of the model that
 * scores the post now; otherwise everything is computed again.
 *
 * @param modelKey the model that computed these features
 * @param imageDigest what the image features were computed from ({@link ContentDigest#NO_IMAGE} for
 *     the all-zero image), or null
 * @param imageFeatures image features of the post's current image, or null: the caller vouches that
 *     the image is the one they were computed from, and the image is then not read at all
 * @param textDigest sha-256 of the cleaned text the text features were computed from, or null
 * @param textFeatures text features, or null
 * @param commentProbabilities sentiment probabilities by comment-text digest
 */
public record KnownFeatures(
    String modelKey,
    ContentDigest imageDigest,
    float[] imageFeatures,
    ContentDigest textDigest,
    float[] textFeatures,
    Map<ContentDigest, float[]> commentProbabilities) {
  /** Nothing known. */
  public static final KnownFeatures NONE = new KnownFeatures("", null, null, null, null, Map.of());

  /** Copies the map so later changes by the caller cannot reach a queued post. */
  public KnownFeatures {
    commentProbabilities = Map.copyOf(commentProbabilities);
  }

  /** The features known for the post's text when its digest is {@code digest}, or null. */
  float[] textFeaturesFor(ContentDigest digest) {
    return digest.equals(textDigest) ? textFeatures : null;
  }

  /** The features known for the image of {@code digest}, or null. */
  float[] imageFeaturesFor(ContentDigest digest) {
    return digest.equals(imageDigest) ? imageFeatures : null;
  }
}
