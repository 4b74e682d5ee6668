package io.engagementscorer.stream.serde;

import org.apache.avro.Schema;

/**
 * A client of a Confluent-compatible schema registry. Implementations cache in both directions
 * (subject and schema to id, id to schema), so a steady stream of records makes no remote calls,
 * and are safe to share between threads.
 */
public interface SchemaRegistryClient {

  /**
   * Registers a schema under a subject, or finds it if it is already there.
   *
   * @param subject the subject, for example {@code posts-value}
   * @param schema the schema to register
   * @return the schema's id in the registry
   * @throws SchemaRegistryException when the registry cannot be reached or refuses the schema
   */
  int register(String subject, Schema schema);

  /**
   * Finds the id of a schema already registered under a subject, without registering it.
   *
   * @param subject the subject, for example {@code posts-value}
   * @param schema the schema to look up
   * @return the schema's id in the registry
   * @throws SchemaRegistryException when the schema is not registered under the subject, or the
   *     registry cannot be reached
   */
  int idOf(String subject, Schema schema);

  /**
   * Fetches the schema with an id, as record writers registered it.
   *
   * @param id the schema id from the Confluent wire format
   * @return the schema
   * @throws SchemaRegistryException when the id is unknown or the registry cannot be reached
   */
  Schema schemaById(int id);
}
