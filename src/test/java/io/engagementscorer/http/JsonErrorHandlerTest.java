package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Jetty's answers to requests it could not parse come in the API's JSON error body. */
class JsonErrorHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "400, Bad Request, bad_request",
    "414, URI Too Long, uri_too_long",
    "431, Request Header Fields Too Large, headers_too_large",
    "505, Unknown Version, http_version_not_supported"
  })
  void shouldAnswerABadMessageWithTheJsonErrorBody(int status, String reason, String error)
      throws Exception {
    HttpFields.Mutable fields = HttpFields.build();

    ByteBuffer body = new JsonErrorHandler(JSON).badMessageError(status, reason, fields);

    assertThat(fields.get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/json");
    JsonNode json = JSON.readTree(BufferUtil.toString(body));
    assertThat(json.get("error").asText()).isEqualTo(error);
    assertThat(json.get("detail").asText()).endsWith(reason);
  }
}
