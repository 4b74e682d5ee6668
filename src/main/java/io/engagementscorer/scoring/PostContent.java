package io.engagementscorer.scoring;

import java.util.List;

/**
 * A post as callers give it: raw text, optional image bytes (any supported format), comments.
 *
 * @param rawText the post text as written, never null
 * @param image encoded image bytes, or null for a post without an image
 * @param comments the post's comments, raw, never null
 */
public record PostContent(String rawText, byte[] image, List<String> comments) {
  /** Copies the comment list so later changes by the caller cannot reach a queued post. */
  public PostContent {
    comments = List.copyOf(comments);
  }
}
