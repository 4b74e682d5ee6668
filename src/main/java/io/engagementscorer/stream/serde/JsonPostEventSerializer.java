package io.engagementscorer.stream.serde;

import io.engagementscorer.avro.PostEvent;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes post events as the JSON that {@link JsonPostEventDeserializer} reads, with times as
 * ISO-8601 instants and inline image bytes as base64. Thread-safe.
 */
public final class JsonPostEventSerializer implements Serializer<PostEvent> {
  private final PostEventJsonWriter writer = new PostEventJsonWriter();

  @Override
  public byte[] serialize(String topic, PostEvent data) {
    return data == null ? null : writer.write(data);
  }
}
