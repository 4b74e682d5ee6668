package io.engagementscorer.config;

import io.engagementscorer.fetch.FetchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads how images referenced by URI in post events are fetched ({@code IMAGE_*}) into {@link
 * FetchSettings}, whose defaults and limits these are.
 */
final class FetchSettingsReader {
  /** The variable that sets each of the settings that can fail a check after it was read. */
  private static final Map<String, String> VARIABLES =
      Map.of(
          "allowedHosts", "IMAGE_ALLOWED_HOSTS",
          "fileRoot", "IMAGE_FILE_ROOT",
          "connectTimeout", "IMAGE_FETCH_CONNECT_TIMEOUT_MS",
          "readTimeout", "IMAGE_FETCH_TIMEOUT_MS",
          "maxBytes", "MAX_IMAGE_BYTES",
          "retries", "IMAGE_FETCH_RETRIES");

  private FetchSettingsReader() {}

  /**
   * The fetch settings, with the service's image cap.
   *
   * @param maxImageBytes the largest image accepted ({@code MAX_IMAGE_BYTES})
   * @throws ConfigException naming the variable of the first value that fails its check
   */
  static FetchSettings read(EnvironmentReader read, long maxImageBytes) {
    String hosts = read.string("IMAGE_ALLOWED_HOSTS", "");
    String root = read.string("IMAGE_FILE_ROOT", null);
    int maxTimeoutMillis = (int) FetchSettings.MAX_TIMEOUT.toMillis();
    FetchSettings.Builder settings =
        FetchSettings.builder()
            .optAllowedHosts(
                Arrays.stream(hosts.split(","))
                    .map(String::strip)
                    .filter(host -> !host.isEmpty())
                    .collect(Collectors.toUnmodifiableSet()))
            .optFileRoot(root == null ? null : Path.of(root))
            .optConnectTimeout(
                millis(
                    read,
                    "IMAGE_FETCH_CONNECT_TIMEOUT_MS",
                    FetchSettings.DEFAULT_CONNECT_TIMEOUT,
                    maxTimeoutMillis))
            .optReadTimeout(
                millis(
                    read,
                    "IMAGE_FETCH_TIMEOUT_MS",
                    FetchSettings.DEFAULT_READ_TIMEOUT,
                    maxTimeoutMillis))
            .optMaxBytes(maxImageBytes)
            .optRetries(
                read.integer(
                    "IMAGE_FETCH_RETRIES",
                    FetchSettings.DEFAULT_RETRIES,
                    0,
                    FetchSettings.MAX_RETRIES))
            .optAllowPrivateAddresses(
                read.bool(
                    "IMAGE_FETCH_ALLOW_PRIVATE_ADDRESSES",
                    FetchSettings.DEFAULT_ALLOW_PRIVATE_ADDRESSES));
    try {
      return settings.build();
    } catch (FetchSettings.InvalidSettingException e) {
      String variable = VARIABLES.getOrDefault(e.setting(), e.setting());
      throw new ConfigException("Invalid value for " + variable + ": " + e.getMessage());
    }
  }

  private static Duration millis(
      EnvironmentReader read, String name, Duration defaultValue, int maxMillis) {
    return Duration.ofMillis(read.integer(name, (int) defaultValue.toMillis(), 1, maxMillis));
  }
}
