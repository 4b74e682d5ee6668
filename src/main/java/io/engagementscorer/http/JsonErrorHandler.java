package io.engagementscorer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Jetty's own answers, for requests that never reach a Javalin route, in the API's JSON error body
 * instead of Jetty's HTML page: a request line or headers Jetty cannot parse (400, e.g. a {@code %}
 * not followed by two hex digits, or no {@code Host}), a URI or headers over Jetty's buffers (414,
 * 431), an unknown HTTP version (505), and what the server refuses before any context (400 for
 * {@code GET *}). The spec promises clients a JSON body with every error, whoever answers it.
 */
final class JsonErrorHandler extends ErrorHandler {
  private static final String JSON_TYPE = "application/json";

  private final ObjectMapper mapper;

  JsonErrorHandler(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The answer to a request Jetty's parser rejected, before any handler ran. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    if (HttpStatus.hasNoBody(status)) {
      return BufferUtil.EMPTY_BUFFER;
    }
    fields.put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
    return ByteBuffer.wrap(
        body(status, "The HTTP request was refused before routing: " + reasonOr(status, reason)));
  }

  /** The answer to an error the server or a context sent with {@code sendError}. */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    response.setContentType(JSON_TYPE);
    response.getOutputStream().write(body(code, reasonOr(code, message)));
    baseRequest.setHandled(true);
    baseRequest.getResponse().closeOutput();
  }

  /** The stable code of an answer Jetty gives; the same as the API's own where they overlap. */
  static String errorCode(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 413 -> "body_too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      default -> HttpStatus.getMessage(status).toLowerCase(Locale.ROOT).replaceAll("\\W+", "_");
    };
  }

  private byte[] body(int status, String detail) {
    try {
      return mapper.writeValueAsBytes(new ErrorBody(errorCode(status), detail));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String reasonOr(int status, String reason) {
    return reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
  }
}
