package io.engagementscorer.scoring;

import io.engagementscorer.model.BundleManifest;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.TokenEncoder;
import io.engagementscorer.preprocess.ClipImagePreprocessor;
import io.engagementscorer.preprocess.ImageDecoder;
import io.engagementscorer.preprocess.ImagePreprocessingSpec;
import io.engagementscorer.preprocess.InvalidInputException;
import io.engagementscorer.preprocess.TextCleaner;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link PostContent} into a {@link PreparedPost}: checks the limits, cleans and tokenizes
 * the text, decodes and preprocesses the image, tokenizes the comments. Runs on the caller's
 * thread, so decoding work spreads over the callers instead of stalling the inference worker.
 * Thread-safe.
 */
public final class PostPreparer {
  private final PostLimits limits;
  private final TokenEncoder textEncoder;
  private final TokenEncoder sentimentEncoder;
  private final ImageDecoder imageDecoder;
  private final ClipImagePreprocessor imagePreprocessor;

  /** A preparer for {@code model}'s inputs under {@code limits}. */
  public PostPreparer(EngagementModel model, PostLimits limits) {
    this.limits = limits;
    this.textEncoder = model.textEncoder();
    this.sentimentEncoder = model.sentimentEncoder();
    this.imageDecoder = new ImageDecoder(limits.maxImagePixels());
    BundleManifest.Image image = model.manifest().image();
    this.imagePreprocessor =
        new ClipImagePreprocessor(
            new ImagePreprocessingSpec(
                image.size(),
                image.resizeShortestEdge(),
                image.rescaleFactor(),
                image.mean(),
                image.std()));
  }

  /**
   * The model inputs of {@code post}.
   *
   * @throws InvalidInputException when the post breaks a limit or its image cannot be read
   */
  public PreparedPost prepare(PostContent post) {
    checkLimits(post);
    String cleaned = TextCleaner.clean(post.rawText());
    long[] tokens = textEncoder.encode(cleaned);
    int length = textEncoder.maxTokens();
    float[] pixels =
        post.image() == null
            ? null
            : imagePreprocessor.preprocess(imageDecoder.decode(post.image()));
    List<long[]> commentTokens = new ArrayList<>(post.comments().size());
    for (String comment : post.comments()) {
      commentTokens.add(sentimentEncoder.encode(comment));
    }
    return new PreparedPost(
        cleaned,
        textEncoder.pad(tokens, length),
        TokenEncoder.attentionMask(tokens.length, length),
        pixels,
        commentTokens);
  }

  private void checkLimits(PostContent post) {
    if (post.rawText().length() > limits.maxTextLength()) {
      throw new InvalidInputException(
          "text_too_long",
          "raw_text has "
              + post.rawText().length()
              + " characters; the limit is "
              + limits.maxTextLength()
              + " (MAX_TEXT_LENGTH_REQUEST)");
    }
    if (post.comments().size() > limits.maxComments()) {
      throw new InvalidInputException(
          "too_many_comments",
          post.comments().size()
              + " comments; the limit is "
              + limits.maxComments()
              + " (MAX_COMMENTS)");
    }
    for (int index = 0; index < post.comments().size(); index++) {
      int length = post.comments().get(index).length();
      if (length > limits.maxCommentLength()) {
        throw new InvalidInputException(
            "comment_too_long",
            "comments["
                + index
                + "] has "
                + length
                + " characters; the limit is "
                + limits.maxCommentLength()
                + " (MAX_COMMENT_LENGTH)");
      }
    }
    if (post.image() != null && post.image().length > limits.maxImageBytes()) {
      throw new InvalidInputException(
          "image_too_large",
          "the image has "
              + post.image().length
              + " bytes; the limit is "
              + limits.maxImageBytes()
              + " (MAX_IMAGE_BYTES)");
    }
  }
}
