package io.engagementscorer.fetch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How an {@link ImageFetcher} reaches image references. Every value is checked here; an invalid one
 * fails with a message naming the setting and the value it got.
 *
 * @param allowedHosts hosts that {@code https://} references may name: exact host names or IP
 *     literals, or {@code *.example.com} wildcards matching any subdomain (not the apex); matched
 *     case-insensitively. Empty: no web references at all.
 * @param fileRoot directory that {@code file://} references must lie under, or null to refuse
 *     {@code file://} references (for local use only)
 * @param connectTimeout longest wait for one TCP connection
 * @param readTimeout longest one fetch attempt may take from connecting to the last byte, redirects
 *     included
 * @param maxBytes largest image accepted, in bytes
 * @param retries extra attempts after the first for transient failures (timeouts, 5xx, refused
 *     connections, S3 throttling); 0 tries once
 * @param retryBackoff wait before the first retry; it doubles for each further one
 * @param allowPrivateAddresses <strong>for local development and tests only; never in
 *     production.</strong> When true, web references may reach loopback, private, link-local
 *     (including the cloud metadata service at 169.254.169.254) and other internal addresses, and
 *     plain {@code http://} is accepted. Any caller able to publish a post could then make the
 *     service read internal endpoints. The host allow-list still applies.
 */
public record FetchSettings(
    Set<String> allowedHosts,
    Path fileRoot,
    Duration connectTimeout,
    Duration readTimeout,
    long maxBytes,
    int retries,
    Duration retryBackoff,
    boolean allowPrivateAddresses) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  /** The default image cap, which {@code MAX_IMAGE_BYTES} sets for the whole service. */
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

  public static final int DEFAULT_RETRIES = 2;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
  public static final boolean DEFAULT_ALLOW_PRIVATE_ADDRESSES = false;

  /** Longest accepted timeout: socket timeouts are whole milliseconds in an int. */
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  public static final int MAX_RETRIES = 10;
  static final Duration MAX_RETRY_BACKOFF = Duration.ofMinutes(1);

  /** Largest image a Java byte array can hold, with headroom for the JVM's array header. */
  static final long MAX_MAX_BYTES = Integer.MAX_VALUE - 16L;

  /** Checks every value and normalises the allow-list to lower case. */
  public FetchSettings {
    Objects.requireNonNull(allowedHosts, "fetch setting allowedHosts must not be null");
    allowedHosts =
        allowedHosts.stream()
            .map(FetchSettings::checkHostPattern)
            .collect(Collectors.toUnmodifiableSet());
    if (fileRoot != null && !fileRoot.isAbsolute()) {
      throw invalid("fileRoot", fileRoot, "must be an absolute path");
    }
    checkTimeout("connectTimeout", connectTimeout);
    checkTimeout("readTimeout", readTimeout);
    if (maxBytes < 1 || maxBytes > MAX_MAX_BYTES) {
      throw invalid("maxBytes", maxBytes, "must be between 1 and " + MAX_MAX_BYTES);
    }
    if (retries < 0 || retries > MAX_RETRIES) {
      throw invalid("retries", retries, "must be between 0 and " + MAX_RETRIES);
    }
    if (retryBackoff == null
        || retryBackoff.isNegative()
        || retryBackoff.compareTo(MAX_RETRY_BACKOFF) > 0) {
      throw invalid("retryBackoff", retryBackoff, "must be between 0 and " + MAX_RETRY_BACKOFF);
    }
  }

  /** A builder starting from the defaults: no web hosts, no file root. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings, to change a few of them. */
  public Builder toBuilder() {
    return new Builder()
        .optAllowedHosts(allowedHosts)
        .optFileRoot(fileRoot)
        .optConnectTimeout(connectTimeout)
        .optReadTimeout(readTimeout)
        .optMaxBytes(maxBytes)
        .optRetries(retries)
        .optRetryBackoff(retryBackoff)
        .optAllowPrivateAddresses(allowPrivateAddresses);
  }

  private static String checkHostPattern(String pattern) {
    if (pattern == null || !HostAllowList.isValidPattern(pattern)) {
      throw invalid(
          "allowedHosts",
          pattern,
          "each entry must be a host name, an IP literal or a *.domain wildcard");
    }
    return pattern.toLowerCase(Locale.ROOT);
  }

  private static void checkTimeout(String name, Duration timeout) {
    if (timeout == null
        || timeout.isNegative()
        || timeout.isZero()
        || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw invalid(name, timeout, "must be positive and at most " + MAX_TIMEOUT);
    }
  }

  private static InvalidSettingException invalid(String setting, Object value, String rule) {
    return new InvalidSettingException(setting, value, rule);
  }

  /** A setting that fails its check; says which, so that configuration can name its variable. */
  public static final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    InvalidSettingException(String setting, Object value, String rule) {
      super("fetch setting " + setting + " " + rule + ", got '" + value + "'");
      this.setting = setting;
    }

    /** The setting's name, as the record's component is called. */
    public String setting() {
      return setting;
    }
  }

  /** Builds {@link FetchSettings}; every field is optional and starts at its default. */
  public static final class Builder {
    private Set<String> allowedHosts = Set.of();
    private Path fileRoot;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private int retries = DEFAULT_RETRIES;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private boolean allowPrivateAddresses = DEFAULT_ALLOW_PRIVATE_ADDRESSES;

    private Builder() {}

    /** Hosts {@code https://} references may name; see {@link FetchSettings#allowedHosts()}. */
    public Builder optAllowedHosts(Set<String> hosts) {
      this.allowedHosts = hosts;
      return this;
    }

    /** Directory {@code file://} references must lie under; null refuses them. */
    public Builder optFileRoot(Path root) {
      this.fileRoot = root;
      return this;
    }

    /** Longest wait for one TCP connection. */
    public Builder optConnectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Longest one fetch attempt may take, redirects included. */
    public Builder optReadTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    /** Largest image accepted, in bytes. */
    public Builder optMaxBytes(long bytes) {
      this.maxBytes = bytes;
      return this;
    }

    /** Extra attempts after the first for transient failures. */
    public Builder optRetries(int count) {
      this.retries = count;
      return this;
    }

    /** Wait before the first retry; doubles for each further one. */
    public Builder optRetryBackoff(Duration backoff) {
      this.retryBackoff = backoff;
      return this;
    }

    /**
     * Lets web references reach internal addresses and plain http. <strong>For local development
     * and tests only</strong>; see {@link FetchSettings#allowPrivateAddresses()}.
     */
    public Builder optAllowPrivateAddresses(boolean allow) {
      this.allowPrivateAddresses = allow;
      return this;
    }

    /** The checked settings. */
    public FetchSettings build() {
      return new FetchSettings(
          allowedHosts,
          fileRoot,
          connectTimeout,
          readTimeout,
          maxBytes,
          retries,
          retryBackoff,
          allowPrivateAddresses);
    }
  }
}
