package io.engagementscorer.s3;

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
  /** The region requests are signed for when none is configured. */
  public static final String DEFAULT_REGION = "us-east-1";

  /** Virtual-hosted-style addressing ({@code bucket.host}) unless {@code S3_PATH_STYLE} says so. */
  public static final boolean DEFAULT_PATH_STYLE = false;

  /** Checks the endpoint and the region; an invalid one is named with the value it got. */
  public S3Settings {
    if (endpoint != null && !isValidEndpoint(endpoint)) {
      throw invalid("endpoint", endpoint, "must be an http(s) URI with a host");
    }
    if (region == null || region.isBlank()) {
      throw invalid("region", region, "must not be blank");
    }
  }

  /** Whether {@code endpoint} can be an S3 endpoint: an http or https URI with a host. */
  public static boolean isValidEndpoint(URI endpoint) {
    String scheme = endpoint.getScheme();
    return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        && endpoint.getHost() != null;
  }

  /** Where requests go, for messages: the endpoint, or AWS in the region. */
  public String describe() {
    return endpoint == null ? "AWS S3 in " + region : endpoint.toString();
  }

  private static IllegalArgumentException invalid(String setting, Object value, String rule) {
    return new IllegalArgumentException(
        "S3 setting " + setting + " " + rule + ", got '" + value + "'");
  }
}
