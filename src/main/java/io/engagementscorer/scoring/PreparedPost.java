package io.engagementscorer.scoring;

import java.util.List;

/**
 * A post turned into model inputs, ready for a batch.
 *
 * @param cleanedText the cleaned text the tokens came from
 * @param inputIds CLIP token ids, padded to the text length
 * @param attentionMask ones for tokens, zeros for padding
 * @param pixelValues normalized CHW image, or null when the post has no image
 * @param commentTokens sentiment token ids of each comment, unpadded
 */
public record PreparedPost(
    String cleanedText,
    long[] inputIds,
    long[] attentionMask,
    float[] pixelValues,
    List<long[]> commentTokens) {}
