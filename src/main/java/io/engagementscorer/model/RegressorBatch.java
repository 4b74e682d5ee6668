package io.engagementscorer.model;

/**
 * The regressor's inputs for a batch, flattened row-major: {@code pixelValues} is {@code
 * [size,3,S,S]}, the token arrays {@code [size,77]}, {@code sentimentFeatures} {@code [size,F]}.
 */
public record RegressorBatch(
    int size,
    float[] pixelValues,
    long[] inputIds,
    long[] attentionMask,
    float[] sentimentFeatures) {}
