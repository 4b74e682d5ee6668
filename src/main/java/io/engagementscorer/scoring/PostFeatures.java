package io.engagementscorer.scoring;

import java.util.List;

/**
 * The features a score was computed from, for a caller that keeps them to reuse on the post's next
 * change (see {@link KnownFeatures}).
 *
 * @param modelKey the model that computed them
 * @param imageDigest what the image features came from ({@link ContentDigest#NO_IMAGE} for none)
 * @param imageFeatures the image features, or null when the model has no regressor parts
 * @param textDigest sha-256 of the cleaned text
 * @param textFeatures the text features, or null when the model has no regressor parts
 * @param commentDigests sha-256 of each comment's text, in the post's order
 * @param commentProbabilities each comment's sentiment probabilities, in the post's order
 */
public record PostFeatures(
    String modelKey,
    ContentDigest imageDigest,
    float[] imageFeatures,
    ContentDigest textDigest,
    float[] textFeatures,
    List<ContentDigest> commentDigests,
    List<float[]> commentProbabilities) {}
