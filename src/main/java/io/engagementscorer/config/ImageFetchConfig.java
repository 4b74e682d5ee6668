package io.engagementscorer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How images referenced by URI in post events are fetched.
 *
 * @param allowedHosts hosts {@code https://} references may name, {@code *.example.com} allowed
 *     ({@code IMAGE_ALLOWED_HOSTS}, comma-separated; empty refuses every https reference)
 * @param fileRoot directory {@code file://} references must lie under, or null to refuse them
 *     ({@code IMAGE_FILE_ROOT})
 * @param connectTimeout ({@code IMAGE_FETCH_CONNECT_TIMEOUT_MS})
 * @param timeout longest one fetch attempt may take ({@code IMAGE_FETCH_TIMEOUT_MS})
 * @param retries extra attempts for transient failures ({@code IMAGE_FETCH_RETRIES})
 * @param allowPrivateAddresses fetch from loopback and private addresses: local development only
 *     ({@code IMAGE_FETCH_ALLOW_PRIVATE_ADDRESSES})
 */
public record ImageFetchConfig(
    Set<String> allowedHosts,
    Path fileRoot,
    Duration connectTimeout,
    Duration timeout,
    int retries,
    boolean allowPrivateAddresses) {

  static ImageFetchConfig fromEnv(EnvironmentReader read) {
    String hosts = read.string("IMAGE_ALLOWED_HOSTS", "");
    String root = read.string("IMAGE_FILE_ROOT", null);
    return new ImageFetchConfig(
        Arrays.stream(hosts.split(","))
            .map(String::strip)
            .filter(host -> !host.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        root == null ? null : Path.of(root),
        Duration.ofMillis(read.integer("IMAGE_FETCH_CONNECT_TIMEOUT_MS", 2_000, 1, 600_000)),
        Duration.ofMillis(read.integer("IMAGE_FETCH_TIMEOUT_MS", 10_000, 1, 600_000)),
        read.integer("IMAGE_FETCH_RETRIES", 2, 0, 10),
        read.bool("IMAGE_FETCH_ALLOW_PRIVATE_ADDRESSES", false));
  }
}
