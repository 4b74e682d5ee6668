package io.engagementscorer.stream.serde;

import static io.engagementscorer.stream.serde.PostEventJsonFields.COMMENTS;
import static io.engagementscorer.stream.serde.PostEventJsonFields.COMMENT_ID;
import static io.engagementscorer.stream.serde.PostEventJsonFields.CREATED_AT;
import static io.engagementscorer.stream.serde.PostEventJsonFields.EVENT_TIME;
import static io.engagementscorer.stream.serde.PostEventJsonFields.IMAGE;
import static io.engagementscorer.stream.serde.PostEventJsonFields.IMAGE_BASE64;
import static io.engagementscorer.stream.serde.PostEventJsonFields.IMAGE_URI;
import static io.engagementscorer.stream.serde.PostEventJsonFields.POST_ID;
import static io.engagementscorer.stream.serde.PostEventJsonFields.TEXT;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import org.apache.kafka.common.errors.SerializationException;

/** Writes a {@link PostEvent} in the JSON form that {@link PostEventJsonParser} reads. */
final class PostEventJsonWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  byte[] write(PostEvent event) {
    ObjectNode root = JSON.createObjectNode();
    root.put(POST_ID, event.getPostId());
    root.put(TEXT, event.getText());
    root.set(IMAGE, image(event.getImage()));
    ArrayNode comments = root.putArray(COMMENTS);
    for (Comment comment : event.getComments()) {
      ObjectNode node = comments.addObject();
      node.put(COMMENT_ID, comment.getCommentId());
      node.put(TEXT, comment.getText());
      node.put(CREATED_AT, isoOrNull(comment.getCreatedAt()));
    }
    root.put(EVENT_TIME, isoOrNull(event.getEventTime()));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new SerializationException(
          "Could not write post event " + event.getPostId() + " as JSON: " + e, e);
    }
  }

  private static ObjectNode image(ImageReference image) {
    if (image == null) {
      return null;
    }
    ObjectNode node = JSON.createObjectNode();
    if (image.getUri() != null) {
      node.put(IMAGE_URI, image.getUri());
    }
    if (image.getBytes() != null) {
      node.put(IMAGE_BASE64, Base64.getEncoder().encodeToString(bytes(image.getBytes())));
    }
    return node;
  }

  // A duplicate, so that reading leaves the record's buffer position where it was.
  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private static String isoOrNull(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
