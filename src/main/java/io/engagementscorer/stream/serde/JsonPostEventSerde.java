package io.engagementscorer.stream.serde;

import io.engagementscorer.avro.PostEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Post events as JSON: {@link JsonPostEventSerializer} and {@link JsonPostEventDeserializer}. */
public final class JsonPostEventSerde implements Serde<PostEvent> {
  private final JsonPostEventSerializer serializer = new JsonPostEventSerializer();
  private final JsonPostEventDeserializer deserializer = new JsonPostEventDeserializer();

  @Override
  public Serializer<PostEvent> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<PostEvent> deserializer() {
    return deserializer;
  }
}
