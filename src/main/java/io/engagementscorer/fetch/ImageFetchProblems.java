package io.engagementscorer.fetch;

import io.engagementscorer.preprocess.InvalidInputException;
import java.net.URI;

/**
 * The stable problem codes an {@link ImageFetcher} puts on the {@link InvalidInputException}s it
 * throws, and the helpers that build them.
 */
public final class ImageFetchProblems {
  /** Unknown scheme, malformed URI, or a URI without the parts its scheme needs. */
  public static final String INVALID_URI = "invalid_image_uri";

  /** A host, address or path the service refuses to read from. */
  public static final String FORBIDDEN = "image_uri_forbidden";

  /** HTTP 404/410, no such S3 key or bucket, no such file. */
  public static final String NOT_FOUND = "image_not_found";

  /** The image is larger than the configured maximum. */
  public static final String TOO_LARGE = "image_too_large";

  /** Longest URI quoted in messages and logs; the rest is elided. */
  static final int MAX_QUOTED_URI_LENGTH = 200;

  private ImageFetchProblems() {}

  static InvalidInputException invalidUri(String uri, String why) {
    return new InvalidInputException(INVALID_URI, "invalid image URI " + quote(uri) + ": " + why);
  }

  static InvalidInputException forbidden(URI uri, String why) {
    return new InvalidInputException(
        FORBIDDEN, "image URI " + quote(uri) + " is forbidden: " + why);
  }

  static InvalidInputException notFound(URI uri, String what) {
    return new InvalidInputException(NOT_FOUND, "image " + quote(uri) + " not found: " + what);
  }

  static InvalidInputException tooLarge(URI uri, long maxBytes) {
    return new InvalidInputException(
        TOO_LARGE, "image " + quote(uri) + " is larger than " + maxBytes + " bytes");
  }

  static String quote(URI uri) {
    return quote(uri.toString());
  }

  /**
   * A URI as it may appear in messages and logs: without user info or query string (which may carry
   * credentials, such as presigned URL signatures) and cut to a bounded length.
   */
  static String quote(String uri) {
    String shown = uri;
    int query = shown.indexOf('?');
    if (query >= 0) {
      shown = shown.substring(0, query) + "?…";
    }
    int schemeEnd = shown.indexOf("://");
    int at = shown.indexOf('@');
    int pathStart = schemeEnd < 0 ? -1 : shown.indexOf('/', schemeEnd + 3);
    if (schemeEnd >= 0 && at > schemeEnd && (pathStart < 0 || at < pathStart)) {
      shown = shown.substring(0, schemeEnd + 3) + "…@" + shown.substring(at + 1);
    }
    if (shown.length() > MAX_QUOTED_URI_LENGTH) {
      shown = shown.substring(0, MAX_QUOTED_URI_LENGTH) + "…";
    }
    return "'" + shown + "'";
  }
}
