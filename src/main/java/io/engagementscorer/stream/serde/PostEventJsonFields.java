package io.engagementscorer.stream.serde;

/** The field names of the JSON form of a post event, shared by its parser and writer. */
final class PostEventJsonFields {
  static final String POST_ID = "post_id";
  static final String TEXT = "text";
  static final String IMAGE = "image";
  static final String IMAGE_URI = "uri";
  static final String IMAGE_BASE64 = "base64";
  static final String COMMENTS = "comments";
  static final String COMMENT_ID = "comment_id";
  static final String CREATED_AT = "created_at";
  static final String EVENT_TIME = "event_time";

  private PostEventJsonFields() {}
}
