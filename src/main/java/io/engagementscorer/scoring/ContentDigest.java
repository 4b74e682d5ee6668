package io.engagementscorer.scoring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The sha-256 of an input (image bytes, cleaned text, comment text): what reused features are keyed
 * by, so that a feature can only ever be served for exactly the content it was computed from. Held
 * as four longs, so it is cheap to compare and to keep by the million.
 */
public record ContentDigest(long first, long second, long third, long fourth) {
  /** The length of a digest in bytes. */
  public static final int BYTES = 32;

  /**
   * Stands for "the post has no image": the model's input is then the all-zero image, whose
   * features are reused like any image's. No image's bytes digest to it (it is not a sha-256).
   */
  public static final ContentDigest NO_IMAGE = new ContentDigest(0, 0, 0, 0);

  /** The sha-256 of {@code bytes}. */
  public static ContentDigest of(byte[] bytes) {
    return fromBytes(sha256().digest(bytes), 0);
  }

  /** The sha-256 of {@code text} in UTF-8. */
  public static ContentDigest of(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest in {@code bytes} from {@code offset} (32 bytes, as {@link #writeTo} writes). */
  public static ContentDigest fromBytes(byte[] bytes, int offset) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, BYTES);
    return new ContentDigest(
        buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
  }

  /** The digest of a lower-case hex string, as {@link #hex()} writes it. */
  public static ContentDigest fromHex(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a sha-256 has 64 hex digits, got " + hex.length());
    }
    return fromBytes(bytes, 0);
  }

  /** Writes the 32 bytes of the digest at the buffer's position. */
  public void writeTo(ByteBuffer buffer) {
    buffer.putLong(first).putLong(second).putLong(third).putLong(fourth);
  }

  /** Lower-case hex, 64 digits. */
  public String hex() {
    ByteBuffer buffer = ByteBuffer.allocate(BYTES);
    writeTo(buffer);
    return HexFormat.of().formatHex(buffer.array());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return equals(NO_IMAGE) ? "no-image" : hex().substring(0, 12);
  }
}
