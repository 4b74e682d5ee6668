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

  /** Where requests go, for messages: the endpoint, or AWS in the region. */
  public String describe() {
    return endpoint == null ? "AWS S3 in " + region : endpoint.toString();
  }
}
