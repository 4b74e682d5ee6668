package io.engagementscorer.scoring;

/**
 * Limits that protect the service from oversized posts.
 *
 * @param maxTextLength longest text, in characters
 * @param maxComments most comments
 * @param maxCommentLength longest comment, in characters
 * @param maxImageBytes largest encoded image
 * @param maxImagePixels largest image area, checked from the image header before decoding
 */
public record PostLimits(
    int maxTextLength,
    int maxComments,
    int maxCommentLength,
    long maxImageBytes,
    long maxImagePixels) {}
