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
    long maxImagePixels) {

  /**
   * No limits, for the bundle's own reference cases: they are verified by hash, and the self-check
   * must test the model whatever limits requests are held to.
   */
  public static final PostLimits NONE =
      new PostLimits(
          Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
}
