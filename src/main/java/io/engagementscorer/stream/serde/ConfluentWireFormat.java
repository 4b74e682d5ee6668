package io.engagementscorer.stream.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: byte 0 is the magic byte 0x00, bytes 1 to 4 the schema id as a
 * big-endian int, then the Avro binary encoding of the record.
 */
final class ConfluentWireFormat {
  static final byte MAGIC_BYTE = 0x00;
  static final int HEADER_LENGTH = 1 + Integer.BYTES;

  private ConfluentWireFormat() {}

  static byte[] header(int schemaId) {
    return ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC_BYTE).putInt(schemaId).array();
  }

  /** Checks the header of a payload and returns its schema id. */
  static int schemaId(String topic, byte[] payload) {
    if (payload.length < HEADER_LENGTH) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " is "
              + payload.length
              + " bytes, too short for the Confluent wire format (at least "
              + HEADER_LENGTH
              + " bytes: magic byte and schema id)");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new SerializationException(
          String.format(
              "Record on topic %s has unknown magic byte 0x%02x — not Confluent Avro wire format"
                  + " (expected 0x00)",
              topic, payload[0]));
    }
    return ByteBuffer.wrap(payload, 1, Integer.BYTES).getInt();
  }
}
