package io.engagementscorer.errors;

/**
 * What was wrong with input that cannot be scored: its stable code (the {@code error} of the HTTP
 * body), the HTTP status it gets, and the dead-letter stage of a post that has it.
 */
public enum InputProblem {
  /** Bytes that are not a decodable image of a supported format. */
  INVALID_IMAGE("invalid_image", 422, DeadLetterStage.IMAGE),
  /** An image over the byte limit, or with more pixels than the pixel cap. */
  IMAGE_TOO_LARGE("image_too_large", 413, DeadLetterStage.IMAGE),
  /** Unknown scheme, malformed URI, or a URI without the parts its scheme needs. */
  INVALID_IMAGE_URI("invalid_image_uri", 422, DeadLetterStage.IMAGE),
  /** A host, address or path the service refuses to read from. */
  IMAGE_URI_FORBIDDEN("image_uri_forbidden", 422, DeadLetterStage.IMAGE),
  /** HTTP 404/410, no such S3 key or bucket, no such file. */
  IMAGE_NOT_FOUND("image_not_found", 422, DeadLetterStage.IMAGE),
  /** A post event's image with neither or both of bytes and URI. */
  INVALID_IMAGE_REFERENCE("invalid_image_reference", 422, DeadLetterStage.IMAGE),
  /** Text over {@code MAX_TEXT_LENGTH_REQUEST}. */
  TEXT_TOO_LONG("text_too_long", 422, DeadLetterStage.SCORE),
  /** More than {@code MAX_COMMENTS} comments. */
  TOO_MANY_COMMENTS("too_many_comments", 422, DeadLetterStage.SCORE),
  /** A comment over {@code MAX_COMMENT_LENGTH}. */
  COMMENT_TOO_LONG("comment_too_long", 422, DeadLetterStage.SCORE);

  private final String code;
  private final int httpStatus;
  private final DeadLetterStage deadLetterStage;

  InputProblem(String code, int httpStatus, DeadLetterStage deadLetterStage) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.deadLetterStage = deadLetterStage;
  }

  /** The stable code, such as {@code "image_too_large"}. */
  public String code() {
    return code;
  }

  /** The HTTP status of a request with this problem. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The stage a post with this problem is dead-lettered at. */
  public DeadLetterStage deadLetterStage() {
    return deadLetterStage;
  }
}
