package io.engagementscorer.stream.serde;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Avro specific records in the Confluent wire format: fetches the writer schema by the id in
 * the payload (once per id) and resolves it against the generated class's schema, so records
 * written with older or newer compatible schemas read as the current class. Thread-safe.
 *
 * @param <T> the generated Avro class
 */
public final class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final SchemaRegistryClient registry;
  private final SpecificData model;
  private final Schema readerSchema;
  private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

  /**
   * Creates a deserializer.
   *
   * @param registry the schema registry that holds the writers' schemas
   * @param type the generated Avro class to read into; its schema is the reader schema
   */
  public ConfluentAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.model = PlainListSpecificData.forClass(type);
    this.readerSchema = SpecificData.getForClass(type).getSchema(type);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id = ConfluentWireFormat.schemaId(topic, data);
    DatumReader<T> reader = readerFor(id);
    int offset = ConfluentWireFormat.HEADER_LENGTH;
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Could not read "
              + readerSchema.getFullName()
              + " from topic "
              + topic
              + " with writer schema id "
              + id
              + ": "
              + e,
          e);
    }
  }

  // No lock is held across the registry call; a race builds two equal readers and keeps one.
  private DatumReader<T> readerFor(int schemaId) {
    DatumReader<T> cached = readersBySchemaId.get(schemaId);
    if (cached != null) {
      return cached;
    }
    Schema writerSchema = registry.schemaById(schemaId);
    requireReadable(schemaId, writerSchema);
    DatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
    DatumReader<T> previous = readersBySchemaId.putIfAbsent(schemaId, reader);
    return previous != null ? previous : reader;
  }

  // Avro's resolver does not compare record names, so without this check a record of another type
  // whose fields happen to fit would read as this one, with defaults for the rest.
  private void requireReadable(int schemaId, Schema writerSchema) {
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new SerializationException(
          "Writer schema id "
              + schemaId
              + " ("
              + writerSchema.getFullName()
              + ") cannot be read as "
              + readerSchema.getFullName()
              + ": "
              + compatibility.getResult().getIncompatibilities());
    }
  }
}
