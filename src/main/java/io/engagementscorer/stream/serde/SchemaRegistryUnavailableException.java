package io.engagementscorer.stream.serde;

/**
 * The schema registry could not be asked: unreachable, failing (5xx), or refusing our credentials.
 * Unlike an unknown schema id, this says nothing about the record, so a stream must not dead-letter
 * the record but stop and retry it once the registry answers again.
 */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  /** An unavailable registry, described with the URL and the call. */
  public SchemaRegistryUnavailableException(String message) {
    super(message);
  }

  /** An unavailable registry, with the I/O failure kept. */
  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
