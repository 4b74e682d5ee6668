package io.engagementscorer.preprocess;

import com.drew.imaging.ImageProcessingException;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.png.PngMetadataReader;
import com.drew.imaging.tiff.TiffMetadataReader;
import com.drew.imaging.webp.WebpMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.xmp.XmpDirectory;
import com.drew.metadata.xmp.XmpReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EXIF orientation of an image and the transposition that makes it upright, as Pillow's {@code
 * ImageOps.exif_transpose} does: the orientation tag of the EXIF IFD0 (JPEG APP1, PNG eXIf, WebP
 * EXIF chunk, a TIFF's own first IFD), else XMP's {@code tiff:Orientation}; values other than 2 to
 * 8 mean upright. Pillow reads no orientation from GIF and BMP, so neither does this.
 */
final class ExifOrientation {
  static final int UPRIGHT = 1;

  private static final Logger LOG = LoggerFactory.getLogger(ExifOrientation.class);
  private static final String XMP_ORIENTATION = "tiff:Orientation";
  // Pillow's own pattern keeps one digit of the XMP value.
  private static final Pattern FIRST_DIGIT = Pattern.compile("^\\s*([0-9])");

  private ExifOrientation() {}

  /** The orientation recorded in the image's metadata, {@link #UPRIGHT} when there is none. */
  static int read(byte[] bytes, ImageFormat format) {
    Metadata metadata;
    try (InputStream input = new ByteArrayInputStream(bytes)) {
      metadata =
          switch (format) {
            case JPEG ->
                JpegMetadataReader.readMetadata(input, List.of(new ExifReader(), new XmpReader()));
            case PNG -> PngMetadataReader.readMetadata(input);
            case WEBP -> WebpMetadataReader.readMetadata(input);
            case TIFF -> TiffMetadataReader.readMetadata(input);
            case GIF, BMP -> new Metadata();
          };
    } catch (ImageProcessingException | IOException e) {
      // The pixels decoded, so broken metadata costs the orientation, not the whole post.
      LOG.debug("Unreadable {} metadata, treating the image as upright", format, e);
      return UPRIGHT;
    }
    return orientationOf(metadata);
  }

  private static int orientationOf(Metadata metadata) {
    ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
    if (exif != null && exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
      Integer orientation = exif.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
      return orientation == null ? UPRIGHT : orientation;
    }
    XmpDirectory xmp = metadata.getFirstDirectoryOfType(XmpDirectory.class);
    if (xmp != null) {
      String value = xmp.getXmpProperties().get(XMP_ORIENTATION);
      if (value != null) {
        Matcher digit = FIRST_DIGIT.matcher(value);
        if (digit.find()) {
          return Integer.parseInt(digit.group(1));
        }
      }
    }
    return UPRIGHT;
  }

  /**
   * The upright image: {@code rgb} itself for orientation 1 or an unknown value, otherwise a new
   * image transposed like Pillow's FLIP_LEFT_RIGHT (2), ROTATE_180 (3), FLIP_TOP_BOTTOM (4),
   * TRANSPOSE (5), ROTATE_270 (6), TRANSVERSE (7) and ROTATE_90 (8).
   */
  static BufferedImage makeUpright(BufferedImage rgb, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return rgb;
    }
    int width = rgb.getWidth();
    int height = rgb.getHeight();
    boolean swapsAxes = orientation >= 5;
    int outWidth = swapsAxes ? height : width;
    int outHeight = swapsAxes ? width : height;
    int[] in = RgbConverter.pixels(rgb);
    BufferedImage upright = new BufferedImage(outWidth, outHeight, BufferedImage.TYPE_INT_RGB);
    int[] out = RgbConverter.pixels(upright);
    for (int y = 0; y < outHeight; y++) {
      for (int x = 0; x < outWidth; x++) {
        int sourceX;
        int sourceY;
        switch (orientation) {
          case 2 -> {
            sourceX = width - 1 - x;
            sourceY = y;
          }
          case 3 -> {
            sourceX = width - 1 - x;
            sourceY = height - 1 - y;
          }
          case 4 -> {
            sourceX = x;
            sourceY = height - 1 - y;
          }
          case 5 -> {
            sourceX = y;
            sourceY = x;
          }
          case 6 -> {
            sourceX = y;
            sourceY = height - 1 - x;
          }
          case 7 -> {
            sourceX = width - 1 - y;
            sourceY = height - 1 - x;
          }
          default -> {
            sourceX = width - 1 - y;
            sourceY = x;
          }
        }
        out[y * outWidth + x] = in[sourceY * width + sourceX];
      }
    }
    return upright;
  }
}
