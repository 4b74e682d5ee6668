package io.engagementscorer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.scoring.PostContent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a {@code /api/v1/predict} body, {@code {"raw_text": str, "image_base64": str|null,
 * "comments": [str]}}, into a {@link PostContent}, naming the field when something is wrong. Base64
 * may carry a {@code data:image/...;base64,} prefix and line breaks.
 */
final class PredictRequestParser {
  private static final Pattern DATA_URL_PREFIX = Pattern.compile("^data:[^,]*;base64,");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final ObjectMapper mapper;
  private final long maxImageBytes;

  PredictRequestParser(ObjectMapper mapper, long maxImageBytes) {
    this.mapper = mapper;
    this.maxImageBytes = maxImageBytes;
  }

  PostContent parse(byte[] body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(
          400, "malformed_json", "The body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "The body cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(422, "invalid_request", "The body must be a JSON object");
    }
    return new PostContent(rawText(root), image(root), comments(root));
  }

  private static String rawText(JsonNode root) {
    JsonNode text = root.get("raw_text");
    if (text == null || text.isNull()) {
      throw new ApiException(422, "invalid_request", "raw_text is required");
    }
    if (!text.isTextual()) {
      throw new ApiException(
          422, "invalid_request", "raw_text must be a string, got " + typeOf(text));
    }
    return text.textValue();
  }

  private byte[] image(JsonNode root) {
    JsonNode image = root.get("image_base64");
    if (image == null || image.isNull()) {
      return null;
    }
    if (!image.isTextual()) {
      throw new ApiException(
          422, "invalid_request", "image_base64 must be a string or null, got " + typeOf(image));
    }
    String encoded = DATA_URL_PREFIX.matcher(image.textValue()).replaceFirst("");
    encoded = WHITESPACE.matcher(encoded).replaceAll("");
    if (encoded.isEmpty()) {
      return null;
    }
    long decodedEstimate = (long) encoded.length() / 4 * 3;
    if (decodedEstimate > maxImageBytes + 2) {
      throw new ApiException(
          413,
          "image_too_large",
          "image_base64 decodes to about "
              + decodedEstimate
              + " bytes; the limit is "
              + maxImageBytes
              + " (MAX_IMAGE_BYTES)");
    }
    try {
      return Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new ApiException(
          422, "invalid_base64", "image_base64 is not valid base64: " + e.getMessage());
    }
  }

  private static List<String> comments(JsonNode root) {
    JsonNode comments = root.get("comments");
    if (comments == null || comments.isNull()) {
      return List.of();
    }
    if (!comments.isArray()) {
      throw new ApiException(
          422, "invalid_request", "comments must be an array of strings, got " + typeOf(comments));
    }
    List<String> values = new ArrayList<>(comments.size());
    for (int index = 0; index < comments.size(); index++) {
      JsonNode comment = comments.get(index);
      if (!comment.isTextual()) {
        throw new ApiException(
            422,
            "invalid_request",
            "comments[" + index + "] must be a string, got " + typeOf(comment));
      }
      values.add(comment.textValue());
    }
    return values;
  }

  private static String typeOf(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
