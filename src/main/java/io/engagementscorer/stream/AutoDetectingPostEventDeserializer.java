package io.engagementscorer.stream;

import io.engagementscorer.avro.PostEvent;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads post events in either format, by their first byte: the Confluent wire format starts with
 * the magic byte 0, a JSON object never does. Lets one topic take Avro from producers that use a
 * schema registry and JSON from anyone with a plain Kafka client ({@code INPUT_FORMAT=auto}).
 */
final class AutoDetectingPostEventDeserializer implements Deserializer<PostEvent> {
  private static final byte CONFLUENT_MAGIC_BYTE = 0;

  private final Deserializer<PostEvent> avro;
  private final Deserializer<PostEvent> json;

  AutoDetectingPostEventDeserializer(Deserializer<PostEvent> avro, Deserializer<PostEvent> json) {
    this.avro = avro;
    this.json = json;
  }

  @Override
  public PostEvent deserialize(String topic, byte[] data) {
    if (data != null && data.length > 0 && data[0] == CONFLUENT_MAGIC_BYTE) {
      return avro.deserialize(topic, data);
    }
    return json.deserialize(topic, data);
  }
}
