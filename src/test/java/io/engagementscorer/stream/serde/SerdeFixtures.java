package io.engagementscorer.stream.serde;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/** Records and schemas shared by the serde tests. */
final class SerdeFixtures {
  static final Instant CREATED = Instant.parse("2026-11-24T10:00:00Z");

  /**
   * {@link #smallPostEvent()} in Avro binary, written by hand. Strings and bytes are a zig-zag
   * varint length then the bytes; a union is the zig-zag varint index of its branch then the value;
   * an array is blocks of (zig-zag count, items) ended by a zero count; a long is a zig-zag varint.
   * Zig-zag maps 0, 1, 2 to 0, 2, 4; varints put 7 bits a byte, low first, high bit set on all but
   * the last byte.
   */
  static final byte[] SMALL_POST_EVENT_AVRO = {
    0x04,
    'p',
    '1', // postId: length 2 (zig-zag 4), "p1"
    0x02,
    0x04,
    'h',
    'i', // text: union branch 1 (string), length 2, "hi"
    0x02, // image: union branch 1 (ImageReference)
    0x00, // image.bytes: union branch 0 (null)
    0x02,
    0x10,
    's',
    '3',
    ':',
    '/',
    '/',
    'b',
    '/',
    'k', // image.uri: branch 1, length 8, "s3://b/k"
    0x02, // comments: a block of 1 item (zig-zag 2)
    0x04,
    'c',
    '1', // commentId: length 2, "c1"
    0x04,
    'o',
    'k', // text: length 2, "ok"
    0x00, // createdAt: union branch 0 (null)
    0x00, // comments: end of the array
    0x02,
    (byte) 0xD0,
    0x0F // eventTime: branch 1; 1000 ms, zig-zag 2000 = 0x7D0, varint D0 0F
  };

  private SerdeFixtures() {}

  /** The record that {@link #SMALL_POST_EVENT_AVRO} encodes. */
  static PostEvent smallPostEvent() {
    return PostEvent.newBuilder()
        .setPostId("p1")
        .setText("hi")
        .setImage(ImageReference.newBuilder().setUri("s3://b/k").build())
        .setComments(List.of(new Comment("c1", "ok", null)))
        .setEventTime(Instant.ofEpochMilli(1000))
        .build();
  }

  /**
   * Prefixes Avro binary with the Confluent header, by hand: magic byte 0x00, then the schema id as
   * four bytes, most significant first.
   */
  static byte[] confluentHeaderThen(int schemaId, byte[] avro) {
    byte[] bytes = new byte[5 + avro.length];
    bytes[0] = 0x00;
    bytes[1] = (byte) (schemaId >>> 24);
    bytes[2] = (byte) (schemaId >>> 16);
    bytes[3] = (byte) (schemaId >>> 8);
    bytes[4] = (byte) schemaId;
    System.arraycopy(avro, 0, bytes, 5, avro.length);
    return bytes;
  }

  static PostEvent fullPostEvent() {
    return PostEvent.newBuilder()
        .setPostId("post-42")
        .setText("Check out this amazing sunset! #beautiful #nature")
        .setImage(
            ImageReference.newBuilder()
                .setBytes(ByteBuffer.wrap("not really a png".getBytes(StandardCharsets.UTF_8)))
                .build())
        .setComments(
            List.of(
                new Comment("c1", "Wow, gorgeous", CREATED),
                new Comment("c2", "meh", null),
                new Comment("c3", "Ünïcödé ✓", CREATED.plusMillis(1))))
        .setEventTime(CREATED.plusSeconds(60))
        .build();
  }

  static PostState postState() {
    return PostState.newBuilder()
        .setPostId("post-42")
        .setText("hello")
        .setImage(ImageReference.newBuilder().setUri("s3://bucket/key.png").build())
        .setComments(List.of(new Comment("c1", "nice", CREATED)))
        .setVersion(7)
        .setUpdatedAt(CREATED)
        .build();
  }

  static EngagementScore engagementScore() {
    return EngagementScore.newBuilder()
        .setPostId("post-42")
        .setEngagementScore(0.8125)
        .setSentimentScore(0.5)
        .setCleanedText("check out this amazing sunset beautiful nature")
        .setCommentCount(3)
        .setModelVersion("tiny-1.0.0")
        .setScoredAt(CREATED)
        .setPostVersion(7)
        .build();
  }

  /** A copy of a record schema without one field: what writers used before the field existed. */
  static Schema withoutField(Schema current, String removed) {
    List<Schema.Field> fields =
        current.getFields().stream()
            .filter(field -> !field.name().equals(removed))
            .map(field -> new Schema.Field(field, field.schema()))
            .toList();
    return Schema.createRecord(
        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /** A copy of a record schema with one more string field: what a newer writer might use. */
  static Schema withExtraStringField(Schema current, String added) {
    List<Schema.Field> fields =
        new ArrayList<>(
            current.getFields().stream()
                .map(field -> new Schema.Field(field, field.schema()))
                .toList());
    fields.add(new Schema.Field(added, Schema.create(Schema.Type.STRING), null, "none"));
    return Schema.createRecord(
        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }
}
