package io.engagementscorer.scoring;

import java.util.Locale;

/**
 * Where a post waits in the shared micro-batcher. Lanes are served in this order: a worker always
 * takes the first lane that has work, so HTTP requests go before live stream posts, and both go
 * before background work (re-scoring stored posts for a new model, then shadow scoring with a
 * candidate model).
 */
public enum Lane {
  /** Synchronous {@code /api/v1/predict} requests: a caller is waiting. */
  HTTP,
  /** Live posts from the input topic. */
  STREAM,
  /** Stored posts scored again because the served model changed. */
  RESCORE,
  /** Posts scored in the shadow by a candidate model. */
  CANDIDATE;

  /** The lane's name in metrics and answers: lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
