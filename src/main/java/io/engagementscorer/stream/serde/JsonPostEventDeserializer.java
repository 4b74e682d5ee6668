package io.engagementscorer.stream.serde;

import io.engagementscorer.avro.PostEvent;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads post events published as JSON, so that any Kafka client can produce them:
 *
 * <pre>{@code
 * {"post_id": "p1", "text": "..." | null,
 *  "image": {"uri": "s3://bucket/key"} | {"base64": "..."} | null,
 *  "comments": [{"comment_id": "c1", "text": "...", "created_at": "2026-11-24T10:00:00Z"}],
 *  "event_time": "2026-11-24T10:00:00Z" | 1795514400000 | null}
 * }</pre>
 *
 * <p>Times are ISO-8601 instants or epoch milliseconds. Unknown fields are ignored; a missing
 * {@code post_id}, a comment without {@code comment_id} or {@code text}, a wrong type, an image
 * with both or neither of {@code uri} and {@code base64}, or invalid base64 is a {@link
 * org.apache.kafka.common.errors.SerializationException} that names the field. Thread-safe.
 */
public final class JsonPostEventDeserializer implements Deserializer<PostEvent> {
  private final PostEventJsonParser parser = new PostEventJsonParser();

  @Override
  public PostEvent deserialize(String topic, byte[] data) {
    return data == null ? null : parser.parse(data);
  }
}
