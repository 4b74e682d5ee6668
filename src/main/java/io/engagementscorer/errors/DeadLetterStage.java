package io.engagementscorer.errors;

/** Where a record failed, as the {@code dlq.stage} header of its dead letter names it. */
public enum DeadLetterStage {
  /** Decoding the input record failed. */
  DECODE("decode"),
  /** The post's image could not be fetched or read. */
  IMAGE("image"),
  /** The post could not be scored. */
  SCORE("score");

  private final String value;

  DeadLetterStage(String value) {
    this.value = value;
  }

  /** The header value, stable on the wire. */
  public String value() {
    return value;
  }
}
