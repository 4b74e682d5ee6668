package io.engagementscorer.preprocess;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The image formats the service accepts, recognised by their leading bytes (never by a file name or
 * a content type the client claims).
 */
public enum ImageFormat {
  PNG("png"),
  JPEG("jpeg"),
  GIF("gif"),
  BMP("bmp"),
  WEBP("webp"),
  TIFF("tiff");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final byte[] JPEG_SIGNATURE = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
  private static final int SIGNATURE_BYTES_IN_MESSAGES = 8;
  private static final int TEXT_PROBE_BYTES = 64;

  private final String imageIoName;

  ImageFormat(String imageIoName) {
    this.imageIoName = imageIoName;
  }

  /** The format name ImageIO registers its reader under. */
  String imageIoName() {
    return imageIoName;
  }

  /** The format whose signature starts {@code bytes}, or empty when none of ours does. */
  public static Optional<ImageFormat> detect(byte[] bytes) {
    if (startsWith(bytes, 0, PNG_SIGNATURE)) {
      return Optional.of(PNG);
    }
    if (startsWith(bytes, 0, JPEG_SIGNATURE)) {
      return Optional.of(JPEG);
    }
    if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
      return Optional.of(GIF);
    }
    if (isBmp(bytes)) {
      return Optional.of(BMP);
    }
    if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
      return Optional.of(WEBP);
    }
    if (isTiff(bytes)) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  /**
   * Says what {@code bytes} look like when {@link #detect} found no supported format, so that the
   * client learns whether it sent another image format, text, or something else.
   */
  static String describeUnsupported(byte[] bytes) {
    if (bytes.length == 0) {
      return "empty image: no bytes";
    }
    if (startsWith(bytes, 4, ascii("ftyp"))) {
      return "unsupported image format HEIF/AVIF; send PNG, JPEG, GIF, BMP, WebP or TIFF";
    }
    if (looksLikeText(bytes)) {
      return "not an image: the content is text";
    }
    byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, SIGNATURE_BYTES_IN_MESSAGES));
    return "not an image: unrecognised content starting with 0x" + HexFormat.of().formatHex(head);
  }

  // "BM" alone is two letters any text may start with; the DIB header size that follows the
  // 14-byte file header is one of a few fixed values.
  private static boolean isBmp(byte[] bytes) {
    if (bytes.length < 18 || !startsWith(bytes, 0, ascii("BM"))) {
      return false;
    }
    int dibHeaderSize =
        (bytes[14] & 0xFF)
            | (bytes[15] & 0xFF) << 8
            | (bytes[16] & 0xFF) << 16
            | (bytes[17] & 0xFF) << 24;
    return switch (dibHeaderSize) {
      case 12, 16, 40, 52, 56, 64, 108, 124 -> true;
      default -> false;
    };
  }

  // Byte order, then 42 (classic TIFF) or 43 (BigTIFF) in that order.
  private static boolean isTiff(byte[] bytes) {
    return startsWith(bytes, 0, ascii("II*\0"))
        || startsWith(bytes, 0, ascii("MM\0*"))
        || startsWith(bytes, 0, ascii("II+\0"))
        || startsWith(bytes, 0, ascii("MM\0+"));
  }

  private static boolean looksLikeText(byte[] bytes) {
    int probe = Math.min(bytes.length, TEXT_PROBE_BYTES);
    for (int i = 0; i < probe; i++) {
      int b = bytes[i] & 0xFF;
      boolean printable = b >= 0x20 && b < 0x7F;
      boolean whitespace = b == '\t' || b == '\n' || b == '\r';
      if (!printable && !whitespace) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
    if (bytes.length < offset + prefix.length) {
      return false;
    }
    return Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
