package io.engagementscorer.fetch;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.net.URI;

/** The {@link InvalidInputException}s an {@link ImageFetcher} throws, and how URIs are quoted. */
public final class ImageFetchProblems {
  /** Longest URI quoted in messages and logs; the rest is elided. */
  static final int MAX_QUOTED_URI_LENGTH = 200;

  private ImageFetchProblems() {}

  static InvalidInputException invalidUri(String uri, String why) {
    return new InvalidInputException(
        InputProblem.INVALID_IMAGE_URI, "invalid image URI " + quote(uri) + ": " + why);
  }

  static InvalidInputException forbidden(URI uri, String why) {
    return new InvalidInputException(
        InputProblem.IMAGE_URI_FORBIDDEN, "image URI " + quote(uri) + " is forbidden: " + why);
  }

  static InvalidInputException notFound(URI uri, String what) {
    return new InvalidInputException(
        InputProblem.IMAGE_NOT_FOUND, "image " + quote(uri) + " not found: " + what);
  }

  static InvalidInputException tooLarge(URI uri, long maxBytes) {
    return new InvalidInputException(
        InputProblem.IMAGE_TOO_LARGE,
        "image " + quote(uri) + " is larger than " + maxBytes + " bytes");
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
