package io.engagementscorer.scoring;

/** What a reused feature was computed from, and by which part of the model. */
public enum FeatureKind {
  /** Image bytes → CLIP image features (the image encoder). */
  IMAGE("image"),
  /** Cleaned text → CLIP text features (the text encoder). */
  TEXT("text"),
  /** One comment's text → its sentiment class probabilities (the sentiment classifier). */
  SENTIMENT("sentiment");

  private final String label;

  FeatureKind(String label) {
    this.label = label;
  }

  /** The name in metrics and logs. */
  public String label() {
    return label;
  }
}
