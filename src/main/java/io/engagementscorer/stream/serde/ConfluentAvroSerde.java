package io.engagementscorer.stream.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serializer and deserializer of one generated Avro class in the Confluent wire format, for
 * Kafka Streams. Thread-safe.
 *
 * @param <T> the generated Avro class
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final ConfluentAvroSerializer<T> serializer;
  private final ConfluentAvroDeserializer<T> deserializer;

  /**
   * Creates a serde.
   *
   * @param registry the schema registry
   * @param type the generated Avro class
   * @param autoRegister true to register the schema on first write; false to require that it is
   *     already registered
   * @param isKey true for record keys (subject {@code <topic>-key}), false for values ({@code
   *     <topic>-value})
   */
  public ConfluentAvroSerde(
      SchemaRegistryClient registry, Class<T> type, boolean autoRegister, boolean isKey) {
    this.serializer = new ConfluentAvroSerializer<>(registry, type, autoRegister, isKey);
    this.deserializer = new ConfluentAvroDeserializer<>(registry, type);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
