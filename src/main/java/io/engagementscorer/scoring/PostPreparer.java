package io.engagementscorer.scoring;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.model.BundleManifest;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.TokenEncoder;
import io.engagementscorer.preprocess.ClipImagePreprocessor;
import io.engagementscorer.preprocess.ImageDecoder;
import io.engagementscorer.preprocess.ImagePreprocessingSpec;
import io.engagementscorer.preprocess.TextCleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a post into a {@link PreparedPost}: checks the limits, cleans the text, and for each input
 * (text, image, every comment) reuses what is known for its content (from the caller, then the
 * feature cache) and otherwise tokenizes or decodes it for the model. An image whose features are
 * known is neither decoded nor, for the stream, fetched. Runs on the caller's thread, so this work
 * spreads over the callers instead of stalling the inference worker. Thread-safe.
 */
public final class PostPreparer {
  private final PostLimits limits;
  private final TokenEncoder textEncoder;
  private final TokenEncoder sentimentEncoder;
  private final ImageDecoder imageDecoder;
  private final ClipImagePreprocessor imagePreprocessor;
  private final FeatureCache.View cache;
  private final boolean reusesEncoders;

  /**
   * A preparer for {@code model}'s inputs under {@code limits}, reusing features from {@code cache}
   * (a view on {@code model}'s entries).
   */
  public PostPreparer(EngagementModel model, PostLimits limits, FeatureCache.View cache) {
    this.limits = limits;
    this.textEncoder = model.textEncoder();
    this.sentimentEncoder = model.sentimentEncoder();
    this.imageDecoder = new ImageDecoder(limits.maxImagePixels());
    this.imagePreprocessor = imagePreprocessorOf(model);
    this.cache = cache;
    this.reusesEncoders = model.hasRegressorParts();
  }

  /**
   * The image preprocessing {@code model}'s manifest declares (size, resize, rescale, mean, std).
   */
  public static ClipImagePreprocessor imagePreprocessorOf(EngagementModel model) {
    BundleManifest.Image image = model.manifest().image();
    return new ClipImagePreprocessor(
        new ImagePreprocessingSpec(
            image.size(),
            image.resizeShortestEdge(),
            image.rescaleFactor(),
            image.mean(),
            image.std()));
  }

  /**
   * The model inputs of {@code post}, with nothing known beforehand.
   *
   * @throws InvalidInputException when the post breaks a limit or its image cannot be read
   */
  public PreparedPost prepare(PostContent post) {
    return prepare(ScoringRequest.of(post));
  }

  /**
   * The model inputs of {@code request}, reusing what it knows when the model is the one that
   * computed it.
   *
   * @throws InvalidInputException when the post breaks a limit or its image cannot be read
   */
  public PreparedPost prepare(ScoringRequest request) {
    checkLimits(request.rawText(), request.comments());
    KnownFeatures known =
        cache.reusing() && request.known().modelKey().equals(cache.modelKey())
            ? request.known()
            : KnownFeatures.NONE;
    String cleaned = TextCleaner.clean(request.rawText());
    List<PreparedPost.CommentInput> comments = new ArrayList<>(request.comments().size());
    for (String comment : request.comments()) {
      comments.add(commentInput(comment, known));
    }
    return new PreparedPost(
        cleaned, textInput(cleaned, known), imageInput(request.image(), known), comments);
  }

  private PreparedPost.TextInput textInput(String cleaned, KnownFeatures known) {
    ContentDigest digest = ContentDigest.of(cleaned);
    float[] features =
        reusesEncoders ? reuse(known.textFeaturesFor(digest), FeatureKind.TEXT, digest) : null;
    if (features != null) {
      return new PreparedPost.TextInput(digest, features, null, null);
    }
    long[] tokens = textEncoder.encode(cleaned);
    int length = textEncoder.maxTokens();
    return new PreparedPost.TextInput(
        digest,
        null,
        textEncoder.pad(tokens, length),
        TokenEncoder.attentionMask(tokens.length, length));
  }

  private PreparedPost.ImageInput imageInput(Supplier<byte[]> image, KnownFeatures known) {
    if (image == null) {
      float[] features =
          reusesEncoders
              ? reuse(
                  known.imageFeaturesFor(ContentDigest.NO_IMAGE),
                  FeatureKind.IMAGE,
                  ContentDigest.NO_IMAGE)
              : null;
      return new PreparedPost.ImageInput(ContentDigest.NO_IMAGE, features, null);
    }
    if (reusesEncoders && known.imageFeatures() != null && known.imageDigest() != null) {
      // The caller vouches that the post's image is the one these features came from.
      return new PreparedPost.ImageInput(known.imageDigest(), known.imageFeatures(), null);
    }
    byte[] bytes = image.get();
    checkImageSize(bytes);
    ContentDigest digest = ContentDigest.of(bytes);
    float[] features = reusesEncoders ? cache.get(FeatureKind.IMAGE, digest) : null;
    if (features != null) {
      return new PreparedPost.ImageInput(digest, features, null);
    }
    return new PreparedPost.ImageInput(
        digest, null, imagePreprocessor.preprocess(imageDecoder.decode(bytes)));
  }

  private PreparedPost.CommentInput commentInput(String comment, KnownFeatures known) {
    ContentDigest digest = ContentDigest.of(comment);
    float[] probabilities =
        reuse(known.commentProbabilities().get(digest), FeatureKind.SENTIMENT, digest);
    if (probabilities != null) {
      return new PreparedPost.CommentInput(digest, probabilities, null);
    }
    return new PreparedPost.CommentInput(digest, null, sentimentEncoder.encode(comment));
  }

  private float[] reuse(float[] known, FeatureKind kind, ContentDigest digest) {
    return known != null ? known : cache.get(kind, digest);
  }

  private void checkLimits(String rawText, List<String> comments) {
    if (rawText.length() > limits.maxTextLength()) {
      throw new InvalidInputException(
          InputProblem.TEXT_TOO_LONG,
          "raw_text has "
              + rawText.length()
              + " characters; the limit is "
              + limits.maxTextLength()
              + " (MAX_TEXT_LENGTH_REQUEST)");
    }
    if (comments.size() > limits.maxComments()) {
      throw new InvalidInputException(
          InputProblem.TOO_MANY_COMMENTS,
          comments.size() + " comments; the limit is " + limits.maxComments() + " (MAX_COMMENTS)");
    }
    for (int index = 0; index < comments.size(); index++) {
      int length = comments.get(index).length();
      if (length > limits.maxCommentLength()) {
        throw new InvalidInputException(
            InputProblem.COMMENT_TOO_LONG,
            "comments["
                + index
                + "] has "
                + length
                + " characters; the limit is "
                + limits.maxCommentLength()
                + " (MAX_COMMENT_LENGTH)");
      }
    }
  }

  private void checkImageSize(byte[] image) {
    if (image.length > limits.maxImageBytes()) {
      throw new InvalidInputException(
          InputProblem.IMAGE_TOO_LARGE,
          "the image has "
              + image.length
              + " bytes; the limit is "
              + limits.maxImageBytes()
              + " (MAX_IMAGE_BYTES)");
    }
  }
}
