package io.engagementscorer.preprocess;

import com.twelvemonkeys.imageio.color.YCbCrConverter;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataFormatImpl;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads CMYK and YCCK JPEGs to the RGB that Pillow makes of them. Pillow takes the four stored
 * components in Adobe's inverted polarity whether or not the file carries Adobe's APP14 marker,
 * lets libjpeg turn YCCK into CMYK, ignores any embedded ICC profile and then applies its plain
 * CMYK formula ({@link RgbConverter#cmykToRgb}).
 *
 * <p>Why not the reader's own {@code read}: TwelveMonkeys converts CMYK to RGB through the embedded
 * ICC profile, or without one with a formula that truncates where Pillow rounds. So this takes the
 * stored samples ({@code readRaster}, no colour conversion) and uses TwelveMonkeys' JPEG YCbCr
 * transform for YCCK, which is libjpeg's.
 */
final class CmykJpegReader {
  private static final int MAX_8_BIT = 255;
  private static final int CMYK_BANDS = 4;

  private CmykJpegReader() {}

  /** Whether the JPEG the reader is set on has four colour components (CMYK or YCCK). */
  static boolean isCmyk(ImageReader reader) throws IOException {
    ImageTypeSpecifier raw = reader.getRawImageType(0);
    return raw != null
        && raw.getNumBands() == CMYK_BANDS
        && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
  }

  /** The TYPE_INT_RGB image of the CMYK or YCCK JPEG the reader is set on. */
  static BufferedImage read(ImageReader reader) throws IOException {
    boolean ycck = "YCCK".equals(colourSpaceName(reader.getImageMetadata(0)));
    Raster stored = reader.readRaster(0, null);
    int width = stored.getWidth();
    BufferedImage rgb = new BufferedImage(width, stored.getHeight(), BufferedImage.TYPE_INT_RGB);
    int[] out = RgbConverter.pixels(rgb);
    int[] row = new int[width * CMYK_BANDS];
    byte[] ycc = new byte[3];
    for (int y = 0; y < stored.getHeight(); y++) {
      stored.getPixels(stored.getMinX(), stored.getMinY() + y, width, 1, row);
      for (int x = 0; x < width; x++) {
        int first = x * CMYK_BANDS;
        int black = MAX_8_BIT - row[first + 3];
        if (ycck) {
          // libjpeg's YCCK -> CMYK gives 255 - R for C (and so on), which Pillow inverts back.
          for (int band = 0; band < 3; band++) {
            ycc[band] = (byte) row[first + band];
          }
          YCbCrConverter.convertJPEGYCbCr2RGB(ycc, ycc, 0);
          out[y * width + x] =
              RgbConverter.cmykToRgb(ycc[0] & 0xFF, ycc[1] & 0xFF, ycc[2] & 0xFF, black);
        } else {
          out[y * width + x] =
              RgbConverter.cmykToRgb(
                  MAX_8_BIT - row[first],
                  MAX_8_BIT - row[first + 1],
                  MAX_8_BIT - row[first + 2],
                  black);
        }
      }
    }
    return rgb;
  }

  /** The {@code Chroma/ColorSpaceType} of the standard ImageIO metadata, or null. */
  private static String colourSpaceName(IIOMetadata metadata) {
    Node root = metadata.getAsTree(IIOMetadataFormatImpl.standardMetadataFormatName);
    for (Node chroma = root.getFirstChild(); chroma != null; chroma = chroma.getNextSibling()) {
      if (!chroma.getNodeName().equals("Chroma")) {
        continue;
      }
      for (Node node = chroma.getFirstChild(); node != null; node = node.getNextSibling()) {
        if (node.getNodeName().equals("ColorSpaceType")) {
          return ((Element) node).getAttribute("name");
        }
      }
    }
    return null;
  }
}
