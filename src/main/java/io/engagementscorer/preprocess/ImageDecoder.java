package io.engagementscorer.preprocess;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes the bytes of an uploaded image into upright 8-bit RGB, matching the Python reference
 * {@code Image.open} → {@code ImageOps.exif_transpose} → {@code convert("RGB")}: PNG, JPEG
 * (including CMYK and YCCK), GIF (first frame), BMP, WebP and TIFF (first page); EXIF orientation
 * applied; alpha dropped without compositing; CMYK converted with Pillow's formula.
 *
 * <p>The image's dimensions are read from its header and checked against the pixel cap before any
 * pixel is decoded, so a small file that declares a huge image costs nothing. Thread-safe: each
 * call uses its own ImageIO reader and disposes of it.
 */
public final class ImageDecoder {
  // The JDK's JPEG reader fills a truncated image with grey and only warns; Pillow refuses it
  // ("image file is truncated"), so these warnings are errors. Others, such as "extraneous bytes
  // before marker", Pillow accepts too.
  private static final List<String> JPEG_TRUNCATION_WARNINGS =
      List.of("premature end", "missing eoi");

  private final long maxPixels;

  /**
   * A decoder that refuses images of more than {@code maxPixels} pixels (width × height).
   *
   * @throws IllegalArgumentException if {@code maxPixels} is not positive
   */
  public ImageDecoder(long maxPixels) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
    // Everything is decoded from memory: no ImageIO code path should spill to temporary files.
    ImageIO.setUseCache(false);
  }

  /** The largest width × height this decoder accepts. */
  public long maxPixels() {
    return maxPixels;
  }

  /**
   * The upright TYPE_INT_RGB image that {@code bytes} encode.
   *
   * @throws InvalidInputException with problem {@value #InputProblem.INVALID_IMAGE} when the bytes
   *     are empty, not an image, of an unsupported format, truncated or corrupt (the decoder's
   *     exception is kept as the cause), or {@value #InputProblem.IMAGE_TOO_LARGE} when the header
   *     declares more than {@link #maxPixels()} pixels
   */
  public BufferedImage decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    ImageFormat format =
        ImageFormat.detect(bytes)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        InputProblem.INVALID_IMAGE, ImageFormat.describeUnsupported(bytes)));
    BufferedImage decoded = readFirstImage(bytes, format);
    BufferedImage rgb = RgbConverter.toRgb(decoded);
    return ExifOrientation.makeUpright(rgb, ExifOrientation.read(bytes, format));
  }

  private BufferedImage readFirstImage(byte[] bytes, ImageFormat format) {
    ImageReader reader = newReader(format);
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    try (ImageInputStream input =
        new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      // Only a JPEG's metadata is needed: it tells CMYK from YCCK.
      reader.setInput(input, true, format != ImageFormat.JPEG);
      int width = guarded(format, () -> reader.getWidth(0));
      int height = guarded(format, () -> reader.getHeight(0));
      rejectOversize(format, width, height);
      BufferedImage image =
          guarded(
              format,
              () ->
                  format == ImageFormat.JPEG && CmykJpegReader.isCmyk(reader)
                      ? CmykJpegReader.read(reader)
                      : reader.read(0));
      if (format == ImageFormat.JPEG) {
        rejectTruncatedJpeg(warnings);
      }
      return image;
    } catch (IOException e) {
      // Only closing the in-memory stream gets here; it does no I/O.
      throw new UncheckedIOException(e);
    } finally {
      reader.dispose();
    }
  }

  private void rejectOversize(ImageFormat format, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new InvalidInputException(
          InputProblem.INVALID_IMAGE,
          format + " header declares an empty image of " + width + "x" + height);
    }
    long pixels = (long) width * height;
    if (pixels > maxPixels) {
      throw new InvalidInputException(
          InputProblem.IMAGE_TOO_LARGE,
          String.format(
              Locale.ROOT,
              "image is %dx%d = %d pixels, over the limit of %d pixels",
              width,
              height,
              pixels,
              maxPixels));
    }
  }

  private static void rejectTruncatedJpeg(List<String> warnings) {
    for (String warning : warnings) {
      String lowerCase = warning.toLowerCase(Locale.ROOT);
      if (JPEG_TRUNCATION_WARNINGS.stream().anyMatch(lowerCase::contains)) {
        throw new InvalidInputException(
            InputProblem.INVALID_IMAGE,
            "truncated JPEG: " + warning,
            new IIOException("JPEG decoder warnings: " + warnings));
      }
    }
  }

  private static ImageReader newReader(ImageFormat format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
    if (!readers.hasNext()) {
      // A deployment fault (a plugin jar missing from the classpath), not the client's.
      throw new IllegalStateException("no ImageIO reader is registered for " + format);
    }
    return readers.next();
  }

  /** One step of an ImageIO reader, which may fail on the bytes it reads. */
  @FunctionalInterface
  private interface ReaderStep<T> {
    T run() throws IOException;
  }

  // ImageIO readers report hostile or broken input with IOExceptions but also with unchecked
  // ones (an ArrayIndexOutOfBoundsException from a truncated WebP, for example); all of them
  // mean the client sent a bad image.
  private static <T> T guarded(ImageFormat format, ReaderStep<T> step) {
    try {
      return step.run();
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new InvalidInputException(
          InputProblem.INVALID_IMAGE,
          "cannot decode the "
              + format
              + " image; it is corrupt, truncated or uses an unsupported feature: "
              + reason,
          e);
    }
  }
}
