package io.engagementscorer.config;

import java.net.URI;

/**
 * How the service reaches S3, for model bundles and for image references alike. Credentials come
 * from the AWS SDK's default chain (environment, profile, container or instance role).
 *
 * @param endpoint endpoint of an S3-compatible store, or null for AWS ({@code S3_ENDPOINT})
 * @param pathStyle path-style bucket addressing, for MinIO and the like ({@code S3_PATH_STYLE})
 * @param region region requests are signed for ({@code AWS_REGION})
 */
public record S3Settings(URI endpoint, boolean pathStyle, String region) {
  public static final String DEFAULT_REGION = "us-east-1";

  static S3Settings fromEnv(EnvironmentReader read) {
    String endpoint = read.string("S3_ENDPOINT", null);
    URI uri;
    try {
      uri = endpoint == null ? null : URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw EnvironmentReader.invalid("S3_ENDPOINT", endpoint, "expected a URL");
    }
    if (uri != null && (uri.getScheme() == null || uri.getHost() == null)) {
      throw EnvironmentReader.invalid(
          "S3_ENDPOINT", endpoint, "expected a URL like http://host:9000");
    }
    return new S3Settings(
        uri, read.bool("S3_PATH_STYLE", false), read.string("AWS_REGION", DEFAULT_REGION));
  }

  /** Where requests go, for messages: the endpoint, or AWS in the region. */
  public String describe() {
    return endpoint == null ? "AWS S3 in " + region : endpoint.toString();
  }
}
