package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonPostEventSerdeTest {
  private static final Instant TEN_O_CLOCK = Instant.parse("2026-11-24T10:00:00Z");

  private final JsonPostEventSerde serde = new JsonPostEventSerde();

  static Stream<Arguments> goodInputs() {
    return Stream.of(
        Arguments.of(
            "only the post id",
            "{\"post_id\": \"p1\"}",
            PostEvent.newBuilder().setPostId("p1").build()),
        Arguments.of(
            "explicit nulls and unknown fields",
            "{\"post_id\": \"p1\", \"text\": null, \"image\": null, \"comments\": null,"
                + " \"event_time\": null, \"source\": {\"app\": \"ios\"}}",
            PostEvent.newBuilder().setPostId("p1").build()),
        Arguments.of(
            "text, image uri, ISO-8601 times",
            "{\"post_id\": \"p1\", \"text\": \"Sunset!\", \"image\": {\"uri\": \"s3://b/k.png\"},"
                + " \"comments\": [{\"comment_id\": \"c1\", \"text\": \"wow\","
                + " \"created_at\": \"2026-11-24T10:00:00Z\"}],"
                + " \"event_time\": \"2026-11-24T11:00:00+01:00\"}",
            PostEvent.newBuilder()
                .setPostId("p1")
                .setText("Sunset!")
                .setImage(ImageReference.newBuilder().setUri("s3://b/k.png").build())
                .setComments(List.of(new Comment("c1", "wow", TEN_O_CLOCK)))
                .setEventTime(TEN_O_CLOCK)
                .build()),
        Arguments.of(
            "inline base64 image and epoch-millisecond times",
            "{\"post_id\": \"p1\", \"image\": {\"base64\": \"aGVsbG8=\"},"
                + " \"comments\": [{\"comment_id\": \"c1\", \"text\": \"a\", \"created_at\": "
                + TEN_O_CLOCK.toEpochMilli()
                + "}, {\"comment_id\": \"c2\", \"text\": \"b\"}],"
                + " \"event_time\": 1795514400000}",
            PostEvent.newBuilder()
                .setPostId("p1")
                .setImage(
                    ImageReference.newBuilder()
                        .setBytes(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))
                        .build())
                .setComments(
                    List.of(new Comment("c1", "a", TEN_O_CLOCK), new Comment("c2", "b", null)))
                .setEventTime(TEN_O_CLOCK)
                .build()),
        Arguments.of(
            "sub-millisecond time, kept to the millisecond as on the wire",
            "{\"post_id\": \"p1\", \"event_time\": \"2026-11-24T10:00:00.123456789Z\"}",
            PostEvent.newBuilder()
                .setPostId("p1")
                .setEventTime(TEN_O_CLOCK.plusMillis(123))
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodInputs")
  void shouldReadGoodJson(String description, String json, PostEvent expected) {
    assertThat(deserialize(json)).isEqualTo(expected);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("not JSON", "{\"post_id\": ", "not valid JSON"),
        Arguments.of("trailing garbage", "{\"post_id\": \"p1\"} x", "not valid JSON"),
        Arguments.of("empty", "", "the post event is empty"),
        Arguments.of("an array", "[]", "the post event must be a JSON object, got array"),
        Arguments.of("duplicate key", "{\"post_id\": \"p1\", \"post_id\": \"p2\"}", "post_id"),
        Arguments.of("missing post_id", "{\"text\": \"hi\"}", "post_id is required"),
        Arguments.of("blank post_id", "{\"post_id\": \" \"}", "post_id must not be blank"),
        Arguments.of("numeric post_id", "{\"post_id\": 7}", "post_id must be a string, got number"),
        Arguments.of("numeric text", "{\"post_id\": \"p1\", \"text\": 3}", "text must be a string"),
        Arguments.of(
            "image as a string",
            "{\"post_id\": \"p1\", \"image\": \"s3://b/k\"}",
            "image must be an object"),
        Arguments.of(
            "image with both",
            "{\"post_id\": \"p1\", \"image\": {\"uri\": \"s3://b/k\", \"base64\": \"aGk=\"}}",
            "image must have exactly one of \"uri\" and \"base64\""),
        Arguments.of(
            "image with neither",
            "{\"post_id\": \"p1\", \"image\": {}}",
            "image must have exactly one of \"uri\" and \"base64\""),
        Arguments.of(
            "invalid base64",
            "{\"post_id\": \"p1\", \"image\": {\"base64\": \"not base64!\"}}",
            "image.base64 is not valid base64"),
        Arguments.of(
            "numeric uri",
            "{\"post_id\": \"p1\", \"image\": {\"uri\": 5}}",
            "image.uri must be a string"),
        Arguments.of(
            "comments as an object",
            "{\"post_id\": \"p1\", \"comments\": {}}",
            "comments must be an array, got object"),
        Arguments.of(
            "comment as a string",
            "{\"post_id\": \"p1\", \"comments\": [\"nice\"]}",
            "comments[0] must be an object, got string"),
        Arguments.of(
            "comment without id",
            "{\"post_id\": \"p1\", \"comments\": [{\"comment_id\": \"c1\", \"text\": \"a\"},"
                + " {\"text\": \"b\"}]}",
            "comments[1].comment_id is required"),
        Arguments.of(
            "comment without text",
            "{\"post_id\": \"p1\", \"comments\": [{\"comment_id\": \"c1\"}]}",
            "comments[0].text is required"),
        Arguments.of(
            "comment time not ISO-8601",
            "{\"post_id\": \"p1\", \"comments\": [{\"comment_id\": \"c1\", \"text\": \"a\","
                + " \"created_at\": \"yesterday\"}]}",
            "comments[0].created_at is not an ISO-8601 instant"),
        Arguments.of(
            "event time as a fraction",
            "{\"post_id\": \"p1\", \"event_time\": 1.5}",
            "event_time must be an ISO-8601 string or epoch milliseconds, got number"),
        Arguments.of(
            "event time as a boolean",
            "{\"post_id\": \"p1\", \"event_time\": true}",
            "event_time must be an ISO-8601 string or epoch milliseconds, got boolean"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void shouldRejectBadJsonNamingTheField(String description, String json, String message) {
    assertThatThrownBy(() -> deserialize(json))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Invalid JSON post event: ")
        .hasMessageContaining(message);
  }

  @Test
  void shouldRoundTripThroughJson() {
    PostEvent event = SerdeFixtures.fullPostEvent();

    byte[] json = serde.serializer().serialize("posts", event);

    assertThat(serde.deserializer().deserialize("posts", json)).isEqualTo(event);
  }

  @Test
  void shouldWriteSnakeCaseJsonWithIsoTimesAndBase64Images() {
    PostEvent event =
        PostEvent.newBuilder()
            .setPostId("p1")
            .setImage(
                ImageReference.newBuilder()
                    .setBytes(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))
                    .build())
            .setComments(List.of(new Comment("c1", "a", TEN_O_CLOCK)))
            .setEventTime(TEN_O_CLOCK)
            .build();

    String json = new String(serde.serializer().serialize("posts", event), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"post_id\":\"p1\",\"text\":null,\"image\":{\"base64\":\"aGVsbG8=\"},"
                + "\"comments\":[{\"comment_id\":\"c1\",\"text\":\"a\","
                + "\"created_at\":\"2026-11-24T10:00:00Z\"}],"
                + "\"event_time\":\"2026-11-24T10:00:00Z\"}");
  }

  @Test
  void shouldMapNullToNullBothWays() {
    assertThat(serde.serializer().serialize("posts", null)).isNull();
    assertThat(serde.deserializer().deserialize("posts", null)).isNull();
  }

  private PostEvent deserialize(String json) {
    return serde.deserializer().deserialize("posts", json.getBytes(StandardCharsets.UTF_8));
  }
}
