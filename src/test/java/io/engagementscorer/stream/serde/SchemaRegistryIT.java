package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.testing.ApicurioRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serdes and the REST client against a real Apicurio Registry's Confluent API. */
class SchemaRegistryIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static ApicurioRegistry apicurio;

  private final String topic = "it-posts-" + UUID.randomUUID();

  @BeforeAll
  static void startRegistry() {
    apicurio = ApicurioRegistry.start();
  }

  @AfterAll
  static void stopRegistry() {
    if (apicurio != null) {
      apicurio.close();
    }
  }

  @Test
  void shouldRoundTripAPostEventThroughApicurio() {
    PostEvent event = SerdeFixtures.fullPostEvent();
    var writer = new ConfluentAvroSerializer<>(client(), PostEvent.class, true, false);
    var reader = new ConfluentAvroDeserializer<>(client(), PostEvent.class);

    byte[] bytes = writer.serialize(topic, event);

    assertThat(bytes[0]).isZero();
    assertThat(reader.deserialize(topic, bytes)).isEqualTo(event);
  }

  @Test
  void shouldRoundTripAnEngagementScoreThroughApicurio() {
    EngagementScore score = SerdeFixtures.engagementScore();
    var writer = new ConfluentAvroSerde<>(client(), EngagementScore.class, true, false);
    var reader = new ConfluentAvroSerde<>(client(), EngagementScore.class, true, false);

    byte[] bytes = writer.serializer().serialize("it-scores-" + topic, score);

    assertThat(reader.deserializer().deserialize("it-scores-" + topic, bytes)).isEqualTo(score);
  }

  @Test
  void shouldGiveTheSameSchemaTheSameIdWhenRegisteredTwice() {
    int first = client().register(topic + "-value", PostEvent.getClassSchema());
    int second = client().register(topic + "-value", PostEvent.getClassSchema());

    assertThat(second).isEqualTo(first);
    assertThat(client().idOf(topic + "-value", PostEvent.getClassSchema())).isEqualTo(first);
    assertThat(client().schemaById(first)).isEqualTo(PostEvent.getClassSchema());
  }

  @Test
  void shouldEncodeSubjectsThatNeedEscaping() {
    String subject = "odd topic/with+signs?-value";

    int id = client().register(subject, EngagementScore.getClassSchema());

    assertThat(client().idOf(subject, EngagementScore.getClassSchema())).isEqualTo(id);
  }

  @Test
  void shouldUseARegisteredSchemaWhenAutoRegistrationIsOff() {
    int id = client().register(topic + "-value", PostEvent.getClassSchema());
    var writer = new ConfluentAvroSerializer<>(client(), PostEvent.class, false, false);

    byte[] bytes = writer.serialize(topic, SerdeFixtures.smallPostEvent());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldRefuseAnUnregisteredSubjectWhenAutoRegistrationIsOff() {
    var writer = new ConfluentAvroSerializer<>(client(), PostEvent.class, false, false);

    assertThatThrownBy(() -> writer.serialize(topic, SerdeFixtures.smallPostEvent()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("not registered under subject '" + topic + "-value'")
        .hasMessageContaining("auto-registration is off")
        .hasMessageContaining(apicurio.url());
  }

  @Test
  void shouldRefuseASchemaTheSubjectDoesNotHoldWhenAutoRegistrationIsOff() {
    client().register(topic + "-value", EngagementScore.getClassSchema());
    var writer = new ConfluentAvroSerializer<>(client(), PostEvent.class, false, false);

    assertThatThrownBy(() -> writer.serialize(topic, SerdeFixtures.smallPostEvent()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("not registered under subject '" + topic + "-value'");
  }

  @Test
  void shouldNameAnUnknownSchemaIdAndTheRegistry() {
    assertThatThrownBy(() -> client().schemaById(987_654))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Unknown schema id 987654")
        .hasMessageContaining(apicurio.url());
  }

  @Test
  void shouldDecodeBytesWrittenByHandWithTheIdApicurioAssigned() {
    int id = client().register(topic + "-value", PostEvent.getClassSchema());
    byte[] bytes = SerdeFixtures.confluentHeaderThen(id, SerdeFixtures.SMALL_POST_EVENT_AVRO);

    PostEvent decoded =
        new ConfluentAvroDeserializer<>(client(), PostEvent.class).deserialize(topic, bytes);

    assertThat(decoded).isEqualTo(SerdeFixtures.smallPostEvent());
  }

  @Test
  void shouldServeCachedIdsAndSchemasAfterTheRegistryStopsAndNameItWhenUncached() {
    SchemaRegistryClient cached;
    byte[] bytes;
    String url;
    try (ApicurioRegistry own = ApicurioRegistry.start()) {
      url = own.url();
      cached = new RestSchemaRegistryClient(url, null, TIMEOUT);
      bytes =
          new ConfluentAvroSerializer<>(cached, PostEvent.class, true, false)
              .serialize(topic, SerdeFixtures.fullPostEvent());
      new ConfluentAvroDeserializer<>(cached, PostEvent.class).deserialize(topic, bytes);
    }

    byte[] again =
        new ConfluentAvroSerializer<>(cached, PostEvent.class, true, false)
            .serialize(topic, SerdeFixtures.fullPostEvent());
    PostEvent decoded =
        new ConfluentAvroDeserializer<>(cached, PostEvent.class).deserialize(topic, again);
    var uncached = new RestSchemaRegistryClient(url, null, TIMEOUT);

    assertThat(again).isEqualTo(bytes);
    assertThat(decoded).isEqualTo(SerdeFixtures.fullPostEvent());
    assertThatThrownBy(
            () ->
                new ConfluentAvroDeserializer<>(uncached, PostEvent.class)
                    .deserialize(topic, bytes))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Schema registry at " + url + " is unreachable");
  }

  private static SchemaRegistryClient client() {
    return new RestSchemaRegistryClient(apicurio.url() + "/", null, TIMEOUT);
  }
}
