package io.engagementscorer.stream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro specific records in the Confluent wire format, with the schema registered (or looked
 * up) under the TopicNameStrategy subject {@code <topic>-value}, or {@code <topic>-key} for keys.
 * Interoperates with Confluent's {@code KafkaAvroDeserializer}. Thread-safe.
 *
 * @param <T> the generated Avro class
 */
public final class ConfluentAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private final SchemaRegistryClient registry;
  private final Schema schema;
  private final DatumWriter<T> writer;
  private final boolean autoRegister;
  private final boolean isKey;

  /**
   * Creates a serializer.
   *
   * @param registry the schema registry
   * @param type the generated Avro class, whose schema is the writer schema
   * @param autoRegister true to register the schema on first use; false to require that it is
   *     already registered under the subject
   * @param isKey true to use the {@code <topic>-key} subject, false for {@code <topic>-value}
   */
  public ConfluentAvroSerializer(
      SchemaRegistryClient registry, Class<T> type, boolean autoRegister, boolean isKey) {
    this.registry = Objects.requireNonNull(registry, "registry");
    SpecificData model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    // The class's own model carries its logical-type conversions (timestamp-millis to Instant).
    this.writer = new SpecificDatumWriter<>(schema, model);
    this.autoRegister = autoRegister;
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    String subject = Subjects.topicName(topic, isKey);
    int id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(ConfluentWireFormat.header(id));
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Could not write " + schema.getFullName() + " for topic " + topic + ": " + e, e);
    }
    return out.toByteArray();
  }
}
