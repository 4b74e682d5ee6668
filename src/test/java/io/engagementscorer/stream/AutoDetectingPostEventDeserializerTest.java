package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.JsonPostEventDeserializer;
import io.engagementscorer.stream.serde.MockSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AutoDetectingPostEventDeserializerTest {
  private static final String SCOPE = "auto-detect-test";
  private final MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
  private final AutoDetectingPostEventDeserializer deserializer =
      new AutoDetectingPostEventDeserializer(
          new ConfluentAvroDeserializer<>(registry, PostEvent.class),
          new JsonPostEventDeserializer());

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  @Test
  void shouldReadConfluentAvroByItsMagicByte() {
    PostEvent event =
        PostEvent.newBuilder()
            .setPostId("p1")
            .setText("avro")
            .setImage(null)
            .setComments(List.of())
            .setEventTime(null)
            .build();
    byte[] bytes =
        new ConfluentAvroSerializer<>(registry, PostEvent.class, true, false)
            .serialize("posts", event);

    assertThat(deserializer.deserialize("posts", bytes)).isEqualTo(event);
  }

  @Test
  void shouldReadJsonOtherwise() {
    byte[] json = "{\"post_id\": \"p2\", \"text\": \"json\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(deserializer.deserialize("posts", json).getText()).isEqualTo("json");
  }

  @Test
  void shouldRefuseBytesThatAreNeither() {
    assertThatThrownBy(
            () -> deserializer.deserialize("posts", "nonsense".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
  }
}
