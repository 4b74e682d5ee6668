package io.engagementscorer.stream;

import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.scoring.ContentDigest;
import java.nio.ByteBuffer;

/**
 * What identifies a post's image across versions of the post: {@code sha256:<hex>} of inline bytes,
 * {@code uri:<uri>} of a reference, {@code none}. Two states with the same identity have the same
 * image, so its kept features stay valid and an inline image is stored only once.
 */
final class PostImages {
  static final String NONE = "none";

  private PostImages() {}

  /** The identity of the state's image. */
  static String identity(PostState state) {
    if (state.getInlineImageSha256() != null) {
      return inline(state.getInlineImageSha256());
    }
    return state.getImage() == null ? NONE : identity(state.getImage());
  }

  /**
   * The identity of a reference, or null for an invalid one (neither or both of bytes and uri),
   * which is never equal to anything and fails when the post is scored.
   */
  static String identity(ImageReference image) {
    ByteBuffer bytes = image.getBytes();
    if ((bytes == null) == (image.getUri() == null)) {
      return null;
    }
    return bytes != null ? inline(digest(bytes).hex()) : "uri:" + image.getUri();
  }

  /** The bytes of a reference that carries its image inline, or null. */
  static byte[] inlineBytes(ImageReference image) {
    if (image == null || image.getBytes() == null || image.getUri() != null) {
      return null;
    }
    ByteBuffer bytes = image.getBytes();
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return copy;
  }

  static ContentDigest digest(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return ContentDigest.of(copy);
  }

  private static String inline(String sha256) {
    return "sha256:" + sha256;
  }
}
