package io.engagementscorer.stream;

/** Fetches the bytes of an image a post refers to by URI ({@code s3://}, {@code https://}, ...). */
@FunctionalInterface
public interface ImageResolver {
  /**
   * The image's bytes.
   *
   * @throws io.engagementscorer.errors.InvalidInputException when the URI is malformed, forbidden,
   *     missing or too large
   * @throws RuntimeException when fetching failed after its retries
   */
  byte[] fetch(String uri);
}
