package io.engagementscorer.rollout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Chooses the posts a candidate scores: those whose id hashes below the sample rate. The choice
 * depends on the post id only (the first 8 bytes of its UTF-8 SHA-256 as a fraction of 2^64), so a
 * post is always in or always out, on every instance, after every restart, whatever else changes.
 */
public final class CandidateSampler {
  private static final double TWO_TO_THE_64 = 0x1p64;

  private final double rate;

  /** A sampler taking {@code rate} (0 to 1) of posts. */
  public CandidateSampler(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("sample rate must be from 0 to 1: " + rate);
    }
    this.rate = rate;
  }

  /** The share of posts taken. */
  public double rate() {
    return rate;
  }

  /** Whether the candidate scores {@code postId}. */
  public boolean sampled(String postId) {
    if (rate >= 1) {
      return true;
    }
    return rate > 0 && position(postId) < rate;
  }

  /** Where {@code postId} falls in [0, 1). */
  static double position(String postId) {
    byte[] digest = sha256().digest(postId.getBytes(StandardCharsets.UTF_8));
    long bits = ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
    // Unsigned: add 2^64 to negative values.
    double unsigned = bits >= 0 ? bits : bits + TWO_TO_THE_64;
    return unsigned / TWO_TO_THE_64;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
