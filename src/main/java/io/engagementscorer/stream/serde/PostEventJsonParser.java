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
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Parses the JSON form of a post event into the Avro {@link PostEvent}, with errors that name the
 * offending field. Unknown fields are ignored; times keep millisecond precision, as on the wire.
 */
final class PostEventJsonParser {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  PostEvent parse(byte[] json) {
    JsonNode root = readTree(json);
    if (!root.isObject()) {
      throw invalid("the post event", "must be a JSON object, got " + describe(root));
    }
    String postId = requiredString(root, POST_ID, POST_ID);
    if (postId.isBlank()) {
      throw invalid(POST_ID, "must not be blank");
    }
    return PostEvent.newBuilder()
        .setPostId(postId)
        .setText(optionalString(root, TEXT, TEXT))
        .setImage(image(root.get(IMAGE)))
        .setComments(comments(root.get(COMMENTS)))
        .setEventTime(optionalInstant(root, EVENT_TIME, EVENT_TIME))
        .build();
  }

  private static JsonNode readTree(byte[] json) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || root.isMissingNode()) {
        throw invalid("the post event", "is empty");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new SerializationException(
          "Invalid JSON post event: not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SerializationException("Invalid JSON post event: could not read it: " + e, e);
    }
  }

  private static ImageReference image(JsonNode image) {
    if (image == null || image.isNull()) {
      return null;
    }
    if (!image.isObject()) {
      throw invalid(IMAGE, "must be an object with \"uri\" or \"base64\", got " + describe(image));
    }
    String uri = optionalString(image, IMAGE_URI, IMAGE + "." + IMAGE_URI);
    String base64 = optionalString(image, IMAGE_BASE64, IMAGE + "." + IMAGE_BASE64);
    if ((uri == null) == (base64 == null)) {
      throw invalid(IMAGE, "must have exactly one of \"uri\" and \"base64\"");
    }
    ImageReference.Builder builder = ImageReference.newBuilder().setUri(uri);
    if (base64 != null) {
      builder.setBytes(ByteBuffer.wrap(decodeBase64(base64)));
    }
    return builder.build();
  }

  private static byte[] decodeBase64(String base64) {
    try {
      return Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw invalid(IMAGE + "." + IMAGE_BASE64, "is not valid base64: " + e.getMessage());
    }
  }

  private static List<Comment> comments(JsonNode comments) {
    List<Comment> result = new ArrayList<>();
    if (comments == null || comments.isNull()) {
      return result;
    }
    if (!comments.isArray()) {
      throw invalid(COMMENTS, "must be an array, got " + describe(comments));
    }
    for (int i = 0; i < comments.size(); i++) {
      result.add(comment(comments.get(i), COMMENTS + "[" + i + "]"));
    }
    return result;
  }

  private static Comment comment(JsonNode comment, String path) {
    if (!comment.isObject()) {
      throw invalid(path, "must be an object, got " + describe(comment));
    }
    return Comment.newBuilder()
        .setCommentId(requiredString(comment, COMMENT_ID, path + "." + COMMENT_ID))
        .setText(requiredString(comment, TEXT, path + "." + TEXT))
        .setCreatedAt(optionalInstant(comment, CREATED_AT, path + "." + CREATED_AT))
        .build();
  }

  private static String requiredString(JsonNode parent, String name, String path) {
    String value = optionalString(parent, name, path);
    if (value == null) {
      throw invalid(path, "is required");
    }
    return value;
  }

  private static String optionalString(JsonNode parent, String name, String path) {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid(path, "must be a string, got " + describe(value));
    }
    return value.textValue();
  }

  private static Instant optionalInstant(JsonNode parent, String name, String path) {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return Instant.ofEpochMilli(value.longValue());
    }
    if (value.isTextual()) {
      try {
        return Instant.parse(value.textValue()).truncatedTo(ChronoUnit.MILLIS);
      } catch (DateTimeParseException e) {
        throw invalid(path, "is not an ISO-8601 instant such as 2026-11-24T10:00:00Z: " + value);
      }
    }
    throw invalid(path, "must be an ISO-8601 string or epoch milliseconds, got " + describe(value));
  }

  private static String describe(JsonNode value) {
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static SerializationException invalid(String field, String problem) {
    return new SerializationException("Invalid JSON post event: " + field + " " + problem);
  }
}
