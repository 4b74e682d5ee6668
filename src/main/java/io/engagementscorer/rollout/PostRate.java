package io.engagementscorer.rollout;

import java.util.function.LongSupplier;

/**
 * A bound on posts per second, shared by every task of an instance: a token bucket that refills at
 * the rate and holds at most one second's worth, so a pause is not followed by a burst. Callers
 * take a token per post and skip the post for now when there is none. Thread-safe.
 */
public final class PostRate {
  private final double perSecond;
  private final LongSupplier nanoTime;
  private double tokens;
  private long refilledAt;

  /** A bound of {@code perSecond} posts per second, over the system clock. */
  public PostRate(int perSecond) {
    this(perSecond, System::nanoTime);
  }

  PostRate(int perSecond, LongSupplier nanoTime) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("posts per second must be at least 1: " + perSecond);
    }
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.refilledAt = nanoTime.getAsLong();
    this.tokens = 1;
  }

  /** The bound, in posts per second. */
  public double perSecond() {
    return perSecond;
  }

  /** Takes a token when one is there. */
  public synchronized boolean tryAcquire() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
    refilledAt = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
