package io.engagementscorer.scoring;

import java.util.List;
import java.util.function.Supplier;

/**
 * A post to score, as the stream gives it: the image is read only if what is known does not already
 * cover it (a post whose image features are kept needs no fetch).
 *
 * @param rawText the post text as written, never null
 * @param image supplies the encoded image bytes (it may fetch them), or null for no image
 * @param comments the post's comments, raw, never null
 * @param known features kept from an earlier score of this post
 */
public record ScoringRequest(
    String rawText, Supplier<byte[]> image, List<String> comments, KnownFeatures known) {
  /** Copies the comment list so later changes by the caller cannot reach a queued post. */
  public ScoringRequest {
    comments = List.copyOf(comments);
  }

  /** A post with its bytes at hand and nothing known (the HTTP API). */
  public static ScoringRequest of(PostContent post) {
    byte[] image = post.image();
    return new ScoringRequest(
        post.rawText(), image == null ? null : () -> image, post.comments(), KnownFeatures.NONE);
  }
}
