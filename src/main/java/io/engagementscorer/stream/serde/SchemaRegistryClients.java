package io.engagementscorer.stream.serde;

import java.time.Duration;
import java.util.Locale;

/** Chooses the schema registry client for a configured URL. */
public final class SchemaRegistryClients {
  /** The URL prefix of in-memory registries, followed by the scope name. */
  public static final String MOCK_SCHEME = "mock://";

  private SchemaRegistryClients() {}

  /**
   * Creates the client for a registry URL.
   *
   * @param url {@code mock://scope} for the in-memory registry of that scope, or an {@code http://}
   *     or {@code https://} base URL of a Confluent-compatible registry
   * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null for none; ignored
   *     for {@code mock://}
   * @param timeout the limit for connecting and for each request to a remote registry
   * @return the client
   * @throws IllegalArgumentException when the URL is neither {@code mock://} nor HTTP(S)
   */
  public static SchemaRegistryClient create(
      String url, String basicAuthUserInfo, Duration timeout) {
    String lower = url == null ? "" : url.strip().toLowerCase(Locale.ROOT);
    if (lower.startsWith(MOCK_SCHEME) && lower.length() > MOCK_SCHEME.length()) {
      return MockSchemaRegistry.forScope(url.strip().substring(MOCK_SCHEME.length()));
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return new RestSchemaRegistryClient(url, basicAuthUserInfo, timeout);
    }
    throw new IllegalArgumentException(
        "Schema registry URL must be mock://<scope> or http(s)://host[:port][/path], got: " + url);
  }
}
