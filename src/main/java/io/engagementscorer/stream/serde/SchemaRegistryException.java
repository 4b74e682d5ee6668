package io.engagementscorer.stream.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema registry could not answer as needed: unreachable, credentials refused, an unknown schema
 * id, a schema that is not registered, or an HTTP error. The message names the registry.
 */
public class SchemaRegistryException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the registry
   */
  public SchemaRegistryException(String message) {
    super(message);
  }

  /**
   * Creates the exception, keeping its cause.
   *
   * @param message what went wrong, naming the registry
   * @param cause the underlying failure
   */
  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A schema that {@code idOf} found no id for under {@code subject}, with auto-registration off.
   *
   * @param detail the registry's own answer, or empty
   */
  static SchemaRegistryException notRegistered(
      Schema schema, String subject, String registry, String detail) {
    return new SchemaRegistryException(
        "Schema "
            + schema.getFullName()
            + " is not registered under subject '"
            + subject
            + "' at schema registry "
            + registry
            + ", and auto-registration is off: register it first"
            + (detail.isEmpty() ? "" : " (" + detail + ")"));
  }
}
