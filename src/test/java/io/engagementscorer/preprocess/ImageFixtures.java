package io.engagementscorer.preprocess;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Reads the fixtures that ops/fixtures/make_image_fixtures.py writes to src/test/resources/images/.
 */
final class ImageFixtures {
  private ImageFixtures() {}

  static byte[] bytes(String name) {
    try (InputStream input = ImageFixtures.class.getResourceAsStream("/images/" + name)) {
      if (input == null) {
        throw new IllegalArgumentException(
            "no fixture images/" + name + "; run ops/fixtures/make_image_fixtures.py");
      }
      return input.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@code NAME.pixels.f32} reference: little-endian float32, [3, 224, 224]. */
  static float[] referencePixels(String name) {
    FloatBuffer buffer =
        ByteBuffer.wrap(bytes(name + ".pixels.f32")).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] pixels = new float[buffer.remaining()];
    buffer.get(pixels);
    return pixels;
  }

  /** A {@code NAME.rgb} reference: Pillow's decoded uint8 pixels, rows of R, G, B, as 0xRRGGBB. */
  static int[] referenceRgb(String name) {
    byte[] rgb = bytes(name + ".rgb");
    int[] pixels = new int[rgb.length / 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (rgb[3 * i] & 0xFF) << 16 | (rgb[3 * i + 1] & 0xFF) << 8 | rgb[3 * i + 2] & 0xFF;
    }
    return pixels;
  }

  /** The pixels of any image as 0xRRGGBB, row by row. */
  static int[] rgbOf(BufferedImage image) {
    int[] pixels =
        image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] &= 0xFFFFFF;
    }
    return pixels;
  }
}
