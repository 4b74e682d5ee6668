package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private static final String TOPIC = "posts";

  private final String scope = "serde-test-" + UUID.randomUUID();
  private final MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);
  private final ConfluentAvroSerde<PostEvent> posts =
      new ConfluentAvroSerde<>(registry, PostEvent.class, true, false);

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope(scope);
  }

  /**
   * {@link SerdeFixtures#SerdeFixtures.smallPostEvent()} in the Confluent wire format with schema
   * id 1.
   */
  private static final byte[] SMALL_POST_EVENT_WITH_ID_1 =
      SerdeFixtures.confluentHeaderThen(1, SerdeFixtures.SMALL_POST_EVENT_AVRO);

  @Test
  void shouldDecodeBytesWrittenByHandInConfluentFormat() {
    int id = registry.register("posts-value", PostEvent.getClassSchema());

    PostEvent decoded = posts.deserializer().deserialize(TOPIC, SMALL_POST_EVENT_WITH_ID_1);

    assertThat(id).isEqualTo(1);
    assertThat(decoded).isEqualTo(SerdeFixtures.smallPostEvent());
  }

  @Test
  void shouldWriteTheBytesThatAreDocumentedForTheWireFormat() throws IOException {
    PostEvent event = fullPostEvent();

    byte[] written = posts.serializer().serialize(TOPIC, event);

    int id = registry.idOf("posts-value", PostEvent.getClassSchema());
    assertThat(written[0]).isEqualTo((byte) 0x00);
    assertThat(ByteBuffer.wrap(written, 1, 4).getInt()).isEqualTo(id);
    assertThat(Arrays.copyOfRange(written, 5, written.length)).isEqualTo(avroBinary(event));
  }

  @Test
  void shouldWriteExactlyTheHandWrittenBytes() {
    byte[] written = posts.serializer().serialize(TOPIC, SerdeFixtures.smallPostEvent());

    assertThat(written).isEqualTo(SMALL_POST_EVENT_WITH_ID_1);
  }

  @Test
  void shouldRoundTripAPostEvent() {
    PostEvent event = fullPostEvent();

    PostEvent decoded = roundTrip(posts, event);

    assertThat(decoded).isEqualTo(event).hasSameHashCodeAs(event);
  }

  @Test
  void shouldRoundTripAPostState() {
    var serde = new ConfluentAvroSerde<>(registry, PostState.class, true, false);
    PostState state = SerdeFixtures.postState();

    assertThat(roundTrip(serde, state)).isEqualTo(state);
  }

  @Test
  void shouldRoundTripAnEngagementScore() {
    var serde = new ConfluentAvroSerde<>(registry, EngagementScore.class, true, false);
    EngagementScore score = SerdeFixtures.engagementScore();

    assertThat(roundTrip(serde, score)).isEqualTo(score);
  }

  @Test
  void shouldMapNullToNullBothWays() {
    assertThat(posts.serializer().serialize(TOPIC, null)).isNull();
    assertThat(posts.deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldGiveTheSameSchemaTheSameIdEveryTime() {
    byte[] first = posts.serializer().serialize(TOPIC, SerdeFixtures.smallPostEvent());
    byte[] second = posts.serializer().serialize(TOPIC, fullPostEvent());

    assertThat(Arrays.copyOfRange(first, 0, 5)).isEqualTo(Arrays.copyOfRange(second, 0, 5));
  }

  @Test
  void shouldReadRecordsAnOlderWriterWroteWithTheDefaultOfTheNewField() throws IOException {
    Schema older = SerdeFixtures.withoutField(PostEvent.getClassSchema(), "eventTime");
    GenericRecord oldEvent = new GenericData.Record(older);
    oldEvent.put("postId", "p1");
    oldEvent.put("text", "from an old producer");
    oldEvent.put("image", null);
    oldEvent.put("comments", List.of());
    int olderId = registry.register("posts-value", older);

    PostEvent decoded =
        posts.deserializer().deserialize(TOPIC, confluentBytes(olderId, older, oldEvent));

    assertThat(olderId).isNotEqualTo(registry.register("posts-value", PostEvent.getClassSchema()));
    assertThat(decoded.getPostId()).isEqualTo("p1");
    assertThat(decoded.getText()).isEqualTo("from an old producer");
    assertThat(decoded.getEventTime()).isNull();
  }

  @Test
  void shouldFillANonNullDefaultForAFieldTheOlderWriterLacked() throws IOException {
    Schema older = SerdeFixtures.withoutField(EngagementScore.getClassSchema(), "postVersion");
    EngagementScore current = SerdeFixtures.engagementScore();
    GenericRecord oldScore = new GenericData.Record(older);
    for (Schema.Field field : older.getFields()) {
      oldScore.put(field.name(), current.get(field.name()));
    }
    oldScore.put("scoredAt", current.getScoredAt().toEpochMilli());
    int olderId = registry.register("engagement-scores-value", older);
    var serde = new ConfluentAvroSerde<>(registry, EngagementScore.class, true, false);

    EngagementScore decoded =
        serde
            .deserializer()
            .deserialize("engagement-scores", confluentBytes(olderId, older, oldScore));

    assertThat(decoded).isEqualTo(EngagementScore.newBuilder(current).setPostVersion(0).build());
  }

  @Test
  void shouldIgnoreAFieldANewerWriterAdded() throws IOException {
    Schema newer = SerdeFixtures.withExtraStringField(PostEvent.getClassSchema(), "language");
    GenericRecord newEvent = new GenericData.Record(newer);
    newEvent.put("postId", "p1");
    newEvent.put("text", null);
    newEvent.put("image", null);
    newEvent.put("comments", List.of());
    newEvent.put("eventTime", null);
    newEvent.put("language", "pt-BR");
    int newerId = registry.register("posts-value", newer);

    PostEvent decoded =
        posts.deserializer().deserialize(TOPIC, confluentBytes(newerId, newer, newEvent));

    assertThat(decoded).isEqualTo(PostEvent.newBuilder().setPostId("p1").build());
  }

  @Test
  void shouldRejectAnUnknownMagicByte() {
    byte[] bytes = SMALL_POST_EVENT_WITH_ID_1.clone();
    bytes[0] = 0x7b;

    assertThatThrownBy(() -> posts.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown magic byte 0x7b")
        .hasMessageContaining("not Confluent Avro wire format");
  }

  @Test
  void shouldRejectAPayloadTooShortForTheHeader() {
    assertThatThrownBy(() -> posts.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 bytes, too short for the Confluent wire format");
  }

  @Test
  void shouldRejectATruncatedAvroBody() {
    registry.register("posts-value", PostEvent.getClassSchema());
    byte[] truncated = Arrays.copyOf(SMALL_POST_EVENT_WITH_ID_1, 12);

    assertThatThrownBy(() -> posts.deserializer().deserialize(TOPIC, truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Could not read io.engagementscorer.avro.PostEvent from topic posts")
        .hasMessageContaining("writer schema id 1");
  }

  @Test
  void shouldRejectRecordsOfAnIncompatibleWriterSchema() {
    var scores = new ConfluentAvroSerde<>(registry, EngagementScore.class, true, false);
    byte[] score = scores.serializer().serialize(TOPIC, SerdeFixtures.engagementScore());

    assertThatThrownBy(() -> posts.deserializer().deserialize(TOPIC, score))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(
            "Writer schema id 1 (io.engagementscorer.avro.EngagementScore) cannot be read as"
                + " io.engagementscorer.avro.PostEvent");
  }

  @Test
  void shouldRejectAnUnknownSchemaId() {
    byte[] bytes = SMALL_POST_EVENT_WITH_ID_1.clone();
    bytes[4] = 42;

    assertThatThrownBy(() -> posts.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Unknown schema id 42")
        .hasMessageContaining("mock://" + scope);
  }

  @Test
  void shouldRefuseAnUnregisteredSchemaWhenAutoRegistrationIsOff() {
    var serializer = new ConfluentAvroSerializer<>(registry, PostEvent.class, false, false);

    assertThatThrownBy(() -> serializer.serialize(TOPIC, SerdeFixtures.smallPostEvent()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("not registered under subject 'posts-value'")
        .hasMessageContaining("auto-registration is off");
  }

  @Test
  void shouldUseTheRegisteredIdWhenAutoRegistrationIsOff() {
    registry.register("other-value", EngagementScore.getClassSchema());
    int id = registry.register("posts-value", PostEvent.getClassSchema());
    var serializer = new ConfluentAvroSerializer<>(registry, PostEvent.class, false, false);

    byte[] written = serializer.serialize(TOPIC, SerdeFixtures.smallPostEvent());

    assertThat(ByteBuffer.wrap(written, 1, 4).getInt()).isEqualTo(id).isEqualTo(2);
    assertThat(posts.deserializer().deserialize(TOPIC, written))
        .isEqualTo(SerdeFixtures.smallPostEvent());
  }

  @Test
  void shouldRegisterKeysUnderTheKeySubject() {
    var keySerializer = new ConfluentAvroSerializer<>(registry, PostEvent.class, true, true);

    keySerializer.serialize(TOPIC, SerdeFixtures.smallPostEvent());

    assertThat(registry.idOf("posts-key", PostEvent.getClassSchema())).isEqualTo(1);
    assertThatThrownBy(() -> registry.idOf("posts-value", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void shouldServeManyThreadsWithOneSerde() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results =
          threads.invokeAll(
              Collections.nCopies(
                  64,
                  () -> {
                    for (int i = 0; i < 50; i++) {
                      PostEvent event =
                          PostEvent.newBuilder(fullPostEvent()).setPostId("p" + i).build();
                      if (!roundTrip(posts, event).equals(event)) {
                        return false;
                      }
                    }
                    return true;
                  }));
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static PostEvent fullPostEvent() {
    return SerdeFixtures.fullPostEvent();
  }

  private static <T extends SpecificRecord> T roundTrip(ConfluentAvroSerde<T> serde, T record) {
    return serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, record));
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] bytes = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, bytes, first.length, second.length);
    return bytes;
  }

  private static byte[] avroBinary(PostEvent event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(PostEvent.class).write(event, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] confluentBytes(int id, Schema schema, GenericRecord record)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
