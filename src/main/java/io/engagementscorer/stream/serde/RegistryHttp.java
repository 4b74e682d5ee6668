package io.engagementscorer.stream.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The HTTP side of the registry client: sends Confluent REST requests with the registry's content
 * type and optional basic auth, and turns transport failures into {@link SchemaRegistryException}s
 * that name the URL. Status codes are left to the caller, which knows what a 404 means.
 */
final class RegistryHttp {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final String authorization;
  private final Duration timeout;
  private final HttpClient http;

  /** An answer of the registry: its HTTP status and body. */
  record Answer(int status, String body) {
    boolean isSuccess() {
      return status >= 200 && status < 300;
    }
  }

  RegistryHttp(String baseUrl, String basicAuthUserInfo, Duration timeout) {
    this.baseUrl = baseUrl;
    this.authorization =
        basicAuthUserInfo == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    this.timeout = timeout;
    // HTTP/1.1: a cleartext HTTP/2 upgrade gains nothing for these small calls.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  String baseUrl() {
    return baseUrl;
  }

  Answer get(String path) {
    return send(request(path).GET().build());
  }

  Answer postSchema(String path, String schemaJson) {
    String body = toJson(Map.of("schema", schemaJson));
    return send(
        request(path)
            .header("Content-Type", CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  /** Reads a field of a successful answer, failing with the body when it is not there. */
  JsonNode field(Answer answer, String name) {
    try {
      JsonNode value = JSON.readTree(answer.body()).get(name);
      if (value == null || value.isNull()) {
        throw new SchemaRegistryException(unexpected(answer, "no \"" + name + "\" field"));
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException(unexpected(answer, "not JSON"), e);
    }
  }

  private String unexpected(Answer answer, String why) {
    return "Unexpected answer from schema registry at " + baseUrl + " (" + why + "): " + answer;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(timeout)
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder;
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new SchemaRegistryUnavailableException(
          "Schema registry at "
              + baseUrl
              + " is unreachable ("
              + request.method()
              + " "
              + request.uri()
              + "): "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryUnavailableException(
          "Interrupted while calling schema registry at " + request.uri(), e);
    }
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A map of strings always serializes", e);
    }
  }
}
