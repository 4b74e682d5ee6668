package io.engagementscorer.preprocess;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Converts whatever ImageIO decoded into 8-bit RGB the way Pillow's {@code convert("RGB")} does.
 *
 * <p>It reads raw samples and never goes through {@code getRGB} or {@code Graphics2D}: those
 * colour-manage (a greyscale image comes out lighter, an embedded ICC profile shifts colours) and
 * composite alpha, while Pillow ignores colour profiles and simply drops alpha. CMYK goes through
 * Pillow's own formula for the same reason.
 */
final class RgbConverter {
  private static final int MAX_8_BIT = 255;

  private RgbConverter() {}

  /** The image itself when it already is plain TYPE_INT_RGB, otherwise a converted copy. */
  static BufferedImage toRgb(BufferedImage image) {
    if (isPlainIntRgb(image)) {
      return image;
    }
    int width = image.getWidth();
    int height = image.getHeight();
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] out = pixels(rgb);
    ColorModel colorModel = image.getColorModel();
    Raster raster = image.getRaster();
    if (colorModel instanceof IndexColorModel palette) {
      copyPaletteImage(raster, palette, out);
    } else if (colorModel.getColorSpace().getType() == ColorSpace.TYPE_CMYK
        && colorModel.getNumColorComponents() == 4) {
      copyCmykImage(raster, out);
    } else {
      copyComponentImage(raster, colorModel, out);
    }
    return rgb;
  }

  /**
   * Pillow's {@code convert("RGB")} of one CMYK pixel of 8-bit samples (ink amounts, 255 = full),
   * as 0xRRGGBB. Its {@code cmyk2rgb} computes each of R, G and B as {@code (255 - K) - C * (255 -
   * K) / 255} with the product rounded (its {@code MULDIV255}), with no colour profile involved.
   */
  static int cmykToRgb(int cyan, int magenta, int yellow, int black) {
    int notBlack = MAX_8_BIT - black;
    int red = notBlack - mulDiv255(cyan, notBlack);
    int green = notBlack - mulDiv255(magenta, notBlack);
    int blue = notBlack - mulDiv255(yellow, notBlack);
    return red << 16 | green << 8 | blue;
  }

  /** {@code a * b / 255} rounded, exactly as Pillow's {@code MULDIV255} macro computes it. */
  private static int mulDiv255(int a, int b) {
    int product = a * b + 128;
    return ((product >> 8) + product) >> 8;
  }

  /**
   * The pixels of a plain TYPE_INT_RGB image as 0xRRGGBB, row by row: its own buffer, not a copy.
   */
  static int[] pixels(BufferedImage rgb) {
    if (!isPlainIntRgb(rgb)) {
      throw new IllegalArgumentException("not a plain TYPE_INT_RGB image: " + rgb);
    }
    return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
  }

  // A TYPE_INT_RGB image can still be a view into a larger raster (getSubimage); only one whose
  // buffer holds exactly its own pixels, row after row, can be used as an int[] directly.
  private static boolean isPlainIntRgb(BufferedImage image) {
    if (image.getType() != BufferedImage.TYPE_INT_RGB) {
      return false;
    }
    Raster raster = image.getRaster();
    return raster.getParent() == null
        && raster.getDataBuffer() instanceof DataBufferInt buffer
        && buffer.getNumBanks() == 1
        && buffer.getOffset() == 0
        && buffer.getSize() == image.getWidth() * image.getHeight()
        && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model
        && model.getScanlineStride() == image.getWidth();
  }

  // Palette images (GIF, palette PNG, 1/2/4/8-bit BMP) take the palette's colours as stored,
  // whatever its transparency, as Pillow's P -> RGB conversion does.
  private static void copyPaletteImage(Raster raster, IndexColorModel palette, int[] out) {
    int width = raster.getWidth();
    int[] row = new int[width];
    for (int y = 0; y < raster.getHeight(); y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, row);
      for (int x = 0; x < width; x++) {
        out[y * width + x] = palette.getRGB(row[x]) & 0xFFFFFF;
      }
    }
  }

  // CMYK TIFFs (and anything else read as CMYK samples): Pillow keeps the high byte of 16-bit
  // samples, as for RGB.
  private static void copyCmykImage(Raster raster, int[] out) {
    int bands = raster.getNumBands();
    int[] bits = raster.getSampleModel().getSampleSize();
    int width = raster.getWidth();
    int[] row = new int[width * bands];
    for (int y = 0; y < raster.getHeight(); y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
      for (int x = 0; x < width; x++) {
        int first = x * bands;
        out[y * width + x] =
            cmykToRgb(
                to8Bits(row[first], bits[0], false),
                to8Bits(row[first + 1], bits[1], false),
                to8Bits(row[first + 2], bits[2], false),
                to8Bits(row[first + 3], bits[3], false));
      }
    }
  }

  private static void copyComponentImage(Raster raster, ColorModel colorModel, int[] out) {
    int colourType = colorModel.getColorSpace().getType();
    int colours = colorModel.getNumColorComponents();
    boolean grey = colourType == ColorSpace.TYPE_GRAY && colours == 1;
    if (!grey && !(colourType == ColorSpace.TYPE_RGB && colours == 3)) {
      throw new InvalidInputException(
          InputProblem.INVALID_IMAGE,
          "unsupported colour model with "
              + colours
              + " colour components (colour space type "
              + colourType
              + "); only RGB, greyscale and CMYK images are supported");
    }
    int bands = raster.getNumBands();
    int[] bits = raster.getSampleModel().getSampleSize();
    // Pillow opens 16-bit greyscale without alpha as mode I;16, and its convert("RGB") clips
    // values at 255 instead of scaling them; every other 16-bit mode keeps the high byte.
    boolean clipSixteenBits = grey && !colorModel.hasAlpha();
    int width = raster.getWidth();
    int[] row = new int[width * bands];
    for (int y = 0; y < raster.getHeight(); y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
      for (int x = 0; x < width; x++) {
        int first = x * bands;
        int red = to8Bits(row[first], bits[0], clipSixteenBits);
        int green = grey ? red : to8Bits(row[first + 1], bits[1], false);
        int blue = grey ? red : to8Bits(row[first + 2], bits[2], false);
        out[y * width + x] = red << 16 | green << 8 | blue;
      }
    }
  }

  private static int to8Bits(int sample, int bits, boolean clipSixteenBits) {
    if (bits == 8) {
      return sample;
    }
    if (bits == 16) {
      return clipSixteenBits ? Math.min(sample, MAX_8_BIT) : sample >>> 8;
    }
    if (bits < 8) {
      // Pillow's unpackers for 1-6 bit samples (1, L;2, L;4, BGR;15, BGR;16) scale by
      // v * 255 / max with integer division.
      return sample * MAX_8_BIT / ((1 << bits) - 1);
    }
    throw new InvalidInputException(
        InputProblem.INVALID_IMAGE, "unsupported sample size of " + bits + " bits per channel");
  }
}
