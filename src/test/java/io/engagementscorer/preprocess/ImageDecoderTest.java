package io.engagementscorer.preprocess;

import static io.engagementscorer.preprocess.ImageFixtures.bytes;
import static io.engagementscorer.preprocess.ImageFixtures.referenceRgb;
import static io.engagementscorer.preprocess.ImageFixtures.rgbOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.engagementscorer.errors.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {
  private static final long CAP = 40_000_000L;

  // CMYK and YCCK JPEGs are lossy: Pillow decodes them with its bundled libjpeg-turbo, the JDK
  // (under TwelveMonkeys) with the libjpeg it was built with. Measured on cmyk.jpg,
  // cmyk_no_adobe.jpg and ycck.jpg with Debian's OpenJDK (libjpeg62-turbo): max |difference| 0,
  // mean 0, in 8-bit levels per channel. As for RGB JPEGs, a JDK bundling IJG libjpeg 6b may put
  // a few pixels a few levels apart; a systematic error, such as truncating where Pillow's CMYK
  // formula rounds, is off by 0.3 levels on average.
  private static final int CMYK_JPEG_MAX_LEVELS = 3;
  private static final double CMYK_JPEG_MEAN_LEVELS = 0.1;

  private final ImageDecoder decoder = new ImageDecoder(CAP);

  @ParameterizedTest
  @CsvSource({
    "landscape.png, 320, 240",
    "landscape_alpha.png, 320, 240",
    "landscape_palette.png, 320, 240",
    "portrait.png, 241, 319",
    "small.png, 61, 40",
    "photo.jpg, 320, 240",
    "landscape.gif, 320, 240",
    "landscape.bmp, 320, 240",
    "landscape_lossless.webp, 320, 240",
    "landscape_lossy.webp, 320, 240",
    "cmyk.jpg, 96, 64",
    "ycck.jpg, 96, 64",
    "scan.tif, 96, 64",
    "scan_bigtiff.tif, 96, 64",
  })
  void shouldDecodeEachSupportedFormatToIntRgb(String fixture, int width, int height) {
    BufferedImage image = decoder.decode(bytes(fixture));

    assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
  }

  @ParameterizedTest
  @CsvSource({
    "landscape.png, PNG",
    "photo.jpg, JPEG",
    "landscape.gif, GIF",
    "landscape.bmp, BMP",
    "landscape_lossless.webp, WEBP",
    "scan.tif, TIFF",
    "scan_bigtiff.tif, TIFF",
    "gray16.tif, TIFF"
  })
  void shouldDetectFormatFromContent(String fixture, ImageFormat format) {
    assertThat(ImageFormat.detect(bytes(fixture))).contains(format);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "landscape_alpha.png",
        "landscape_palette.png",
        "landscape.gif",
        "landscape.bmp",
        "landscape_lossless.webp"
      })
  void shouldDecodeLosslessFormatsToTheSamePixelsAsPng(String fixture) {
    // The script asserts that Pillow decodes all of these to the same pixels.
    int[] png = rgbOf(decoder.decode(bytes("landscape.png")));

    assertThat(rgbOf(decoder.decode(bytes(fixture)))).isEqualTo(png);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "scan.tif",
        "scan_packbits.tif",
        "scan_lzw.tif",
        "scan_deflate.tif",
        "scan_alpha.tif",
        "scan_palette.tif",
        "scan_bigtiff.tif",
        "scan_16bit.tif"
      })
  void shouldDecodeTiffsToThePixelsPillowDecodes(String fixture) {
    // Baseline, PackBits, LZW and Deflate; alpha dropped without compositing (its transparent
    // corner keeps its colour); a palette; BigTIFF; 16 bits per channel reduced to the high byte.
    BufferedImage image = decoder.decode(bytes(fixture));

    assertThat(rgbOf(image)).isEqualTo(referenceRgb("scan"));
  }

  @Test
  void shouldConvertACmykTiffWithPillowsFormula() {
    BufferedImage image = decoder.decode(bytes("scan_cmyk.tif"));

    assertThat(rgbOf(image)).isEqualTo(referenceRgb("scan_cmyk"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk", "cmyk_no_adobe", "ycck"})
  void shouldDecodeCmykAndYcckJpegsLikePillowWithinTheDecoderTolerance(String name) {
    int[] pixels = rgbOf(decoder.decode(bytes(name + ".jpg")));
    int[] expected = referenceRgb(name);

    assertThat(pixels).hasSameSizeAs(expected);
    int maxLevels = 0;
    long totalLevels = 0;
    for (int i = 0; i < pixels.length; i++) {
      for (int shift = 0; shift <= 16; shift += 8) {
        int levels = Math.abs((pixels[i] >> shift & 0xFF) - (expected[i] >> shift & 0xFF));
        maxLevels = Math.max(maxLevels, levels);
        totalLevels += levels;
      }
    }
    assertThat(maxLevels).isLessThanOrEqualTo(CMYK_JPEG_MAX_LEVELS);
    assertThat(totalLevels / (3.0 * pixels.length)).isLessThanOrEqualTo(CMYK_JPEG_MEAN_LEVELS);
  }

  @Test
  void shouldDropAlphaWithoutCompositing() {
    BufferedImage withAlpha = decoder.decode(bytes("landscape_alpha.png"));
    BufferedImage opaque = decoder.decode(bytes("landscape.png"));

    // The top-left corner is fully transparent yet keeps its colour, as in convert("RGB").
    assertThat(withAlpha.getRGB(5, 5)).isEqualTo(opaque.getRGB(5, 5));
    assertThat(withAlpha.getColorModel().hasAlpha()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void shouldApplyEachExifOrientationLikePillow(int orientation) {
    BufferedImage image = decoder.decode(bytes("orientation_" + orientation + ".png"));

    assertThat(image.getWidth()).isEqualTo(40);
    assertThat(image.getHeight()).isEqualTo(24);
    assertThat(rgbOf(image)).isEqualTo(referenceRgb("orientation"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"orientation_6.webp", "orientation_6.tif"})
  void shouldApplyExifOrientationOfWebpAndTiff(String fixture) {
    BufferedImage image = decoder.decode(bytes(fixture));

    assertThat(rgbOf(image)).isEqualTo(referenceRgb("orientation"));
  }

  @Test
  void shouldRotateJpegWithOrientation6AndSwapItsDimensions() {
    // The three JPEGs hold the same compressed pixels; only their EXIF orientation differs.
    BufferedImage stored = decoder.decode(bytes("photo.jpg"));
    BufferedImage rotated = decoder.decode(bytes("photo_exif6.jpg"));

    int width = stored.getWidth();
    int height = stored.getHeight();
    assertThat(rotated.getWidth()).isEqualTo(height);
    assertThat(rotated.getHeight()).isEqualTo(width);
    int[] storedPixels = rgbOf(stored);
    int[] expected = new int[width * height];
    for (int y = 0; y < width; y++) {
      for (int x = 0; x < height; x++) {
        // Orientation 6: the stored picture turned 90 degrees clockwise.
        expected[y * height + x] = storedPixels[(height - 1 - x) * width + y];
      }
    }
    assertThat(rgbOf(rotated)).isEqualTo(expected);
  }

  @Test
  void shouldRotateJpegWithOrientation3By180Degrees() {
    BufferedImage stored = decoder.decode(bytes("photo.jpg"));
    BufferedImage rotated = decoder.decode(bytes("photo_exif3.jpg"));

    assertThat(rotated.getWidth()).isEqualTo(stored.getWidth());
    assertThat(rotated.getHeight()).isEqualTo(stored.getHeight());
    int[] storedPixels = rgbOf(stored);
    int[] expected = new int[storedPixels.length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = storedPixels[storedPixels.length - 1 - i];
    }
    assertThat(rgbOf(rotated)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"gray8.png, gray8", "gray16.png, gray16", "gray16.tif, gray16"})
  void shouldDecodeGreyscaleLikePillow(String fixture, String reference) {
    // gray16 also checks Pillow's clipping of 16-bit greyscale at 255.
    BufferedImage image = decoder.decode(bytes(fixture));

    assertThat(rgbOf(image)).isEqualTo(referenceRgb(reference));
  }

  @ParameterizedTest
  @ValueSource(strings = {"truncated.png", "truncated.jpg"})
  void shouldRejectTruncatedFixtureAsInvalidImageKeepingTheCause(String fixture) {
    InvalidInputException error = decodeFailure(bytes(fixture));

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("truncated").hasCauseInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "landscape.gif",
        "landscape.bmp",
        "landscape_lossless.webp",
        "landscape_lossy.webp",
        "cmyk.jpg",
        "ycck.jpg",
        "scan.tif",
        "scan_lzw.tif",
        "scan_bigtiff.tif"
      })
  void shouldRejectImagesCutInHalfAsInvalidImage(String fixture) {
    byte[] whole = bytes(fixture);

    InvalidInputException error = decodeFailure(Arrays.copyOf(whole, whole.length / 2));

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error.getCause()).isNotNull();
  }

  @Test
  void shouldRejectTextAsNotAnImage() {
    InvalidInputException error = decodeFailure(bytes("not_an_image.txt"));

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("not an image").hasMessageContaining("text");
  }

  @Test
  void shouldRejectEmptyBytes() {
    InvalidInputException error = decodeFailure(new byte[0]);

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("empty");
  }

  @Test
  void shouldNameAnUnsupportedImageFormat() {
    byte[] heif = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'};

    InvalidInputException error = decodeFailure(heif);

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("HEIF");
  }

  @Test
  void shouldRejectATiffHeaderWithoutAnImageAsInvalidImage() {
    byte[] tiff = {'I', 'I', '*', 0, 8, 0, 0, 0, 0, 0};

    InvalidInputException error = decodeFailure(tiff);

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("TIFF").hasCauseInstanceOf(Exception.class);
  }

  @Test
  void shouldRejectUnrecognisedBinaryShowingItsFirstBytes() {
    InvalidInputException error = decodeFailure(new byte[] {0, 1, 2, (byte) 0xFE});

    assertThat(error.problem().code()).isEqualTo("invalid_image");
    assertThat(error).hasMessageContaining("0x000102fe");
  }

  @Test
  void shouldRejectOversizeImageBeforeDecoding() {
    // A 61-byte PNG whose header declares 50000 x 50000 and whose pixel data is junk: only the
    // header can have been read, or the verdict would be invalid_image (or an allocation of
    // 7.5 GB would have failed).
    byte[] png = pngWithJunkPixels(50_000, 50_000);

    InvalidInputException error = decodeFailure(png);

    assertThat(error.problem().code()).isEqualTo("image_too_large");
    assertThat(error)
        .hasMessageContaining("50000x50000")
        .hasMessageContaining("2500000000")
        .hasMessageContaining(Long.toString(CAP));
  }

  @Test
  void shouldRejectOversizeTiffBeforeDecoding() {
    // As for the PNG: 50000 x 50000 declared, four bytes of pixel data.
    InvalidInputException error = decodeFailure(tiffWithJunkPixels(50_000, 50_000));

    assertThat(error.problem().code()).isEqualTo("image_too_large");
    assertThat(error).hasMessageContaining("50000x50000").hasMessageContaining("2500000000");
  }

  @Test
  void shouldReportMissingTiffPixelDataAsInvalidImageWhenTheSizeIsAllowed() {
    InvalidInputException error = decodeFailure(tiffWithJunkPixels(64, 64));

    assertThat(error.problem().code()).isEqualTo("invalid_image");
  }

  @Test
  void shouldReportJunkPixelDataAsInvalidImageWhenTheSizeIsAllowed() {
    // The counterpart of the test above: the same kind of file under the cap reaches the pixels.
    InvalidInputException error = decodeFailure(pngWithJunkPixels(64, 64));

    assertThat(error.problem().code()).isEqualTo("invalid_image");
  }

  @Test
  void shouldRejectAFixtureOverASmallCapAndAcceptItAtTheCap() {
    byte[] png = bytes("landscape.png");

    InvalidInputException error =
        catchThrowableOfType(
            InvalidInputException.class, () -> new ImageDecoder(320 * 240 - 1).decode(png));

    assertThat(error.problem().code()).isEqualTo("image_too_large");
    assertThat(error).hasMessageContaining("320x240").hasMessageContaining("76799");
    assertThat(new ImageDecoder(320 * 240).decode(png).getWidth()).isEqualTo(320);
  }

  @Test
  void shouldRefuseANonPositiveCap() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ImageDecoder(0))
        .withMessageContaining("maxPixels");
  }

  @Test
  void shouldDecodeConcurrentlyWithTheSameResult() throws Exception {
    byte[] jpeg = bytes("photo_exif6.jpg");
    int[] expected = rgbOf(decoder.decode(jpeg));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<int[]>> tasks =
          IntStream.range(0, 16)
              .<Callable<int[]>>mapToObj(i -> () -> rgbOf(decoder.decode(jpeg)))
              .toList();
      for (Future<int[]> result : pool.invokeAll(tasks)) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private InvalidInputException decodeFailure(byte[] bytes) {
    InvalidInputException error =
        catchThrowableOfType(InvalidInputException.class, () -> decoder.decode(bytes));
    assertThat(error).as("decoding should fail with InvalidInputException").isNotNull();
    return error;
  }

  /** An 8-bit RGB PNG with a valid header of the given size and four bytes of junk as IDAT. */
  private static byte[] pngWithJunkPixels(int width, int height) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer header = ByteBuffer.allocate(13);
    header.putInt(width).putInt(height).put((byte) 8).put((byte) 2);
    header.put((byte) 0).put((byte) 0).put((byte) 0);
    writeChunk(png, "IHDR", header.array());
    writeChunk(png, "IDAT", new byte[] {'j', 'u', 'n', 'k'});
    writeChunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /**
   * An uncompressed 8-bit greyscale TIFF (little-endian, one strip) of the given size whose strip
   * holds only four bytes.
   */
  private static byte[] tiffWithJunkPixels(int width, int height) {
    int[][] entries = { // tag, type (3 SHORT, 4 LONG), value
      {256, 4, width},
      {257, 4, height},
      {258, 3, 8},
      {259, 3, 1},
      {262, 3, 1},
      {273, 4, 0},
      {277, 3, 1},
      {278, 4, height},
      {279, 4, width * height}
    };
    int pixelsOffset = 8 + 2 + 12 * entries.length + 4;
    ByteBuffer tiff = ByteBuffer.allocate(pixelsOffset + 4).order(ByteOrder.LITTLE_ENDIAN);
    tiff.put(new byte[] {'I', 'I', 42, 0}).putInt(8).putShort((short) entries.length);
    for (int[] entry : entries) {
      int value = entry[0] == 273 ? pixelsOffset : entry[2];
      tiff.putShort((short) entry[0]).putShort((short) entry[1]).putInt(1);
      if (entry[1] == 3) {
        tiff.putShort((short) value).putShort((short) 0);
      } else {
        tiff.putInt(value);
      }
    }
    tiff.putInt(0).put(new byte[] {'j', 'u', 'n', 'k'});
    return tiff.array();
  }

  private static void writeChunk(ByteArrayOutputStream png, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    png.writeBytes(typeBytes);
    png.writeBytes(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
