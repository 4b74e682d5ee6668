package io.engagementscorer.config;

import io.engagementscorer.s3.S3Settings;
import java.net.URI;

/**
 * Reads {@link S3Settings} from {@code S3_ENDPOINT}, {@code S3_PATH_STYLE} and {@code AWS_REGION}.
 */
final class S3SettingsReader {
  private S3SettingsReader() {}

  static S3Settings read(EnvironmentReader read) {
    String endpoint = read.string("S3_ENDPOINT", null);
    URI uri;
    try {
      uri = endpoint == null ? null : URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw EnvironmentReader.invalid("S3_ENDPOINT", endpoint, "expected a URL");
    }
    if (uri != null && !S3Settings.isValidEndpoint(uri)) {
      throw EnvironmentReader.invalid(
          "S3_ENDPOINT", endpoint, "expected a URL like http://host:9000");
    }
    return new S3Settings(
        uri,
        read.bool("S3_PATH_STYLE", S3Settings.DEFAULT_PATH_STYLE),
        read.string("AWS_REGION", S3Settings.DEFAULT_REGION));
  }
}
