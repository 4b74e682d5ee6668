package io.engagementscorer.stream.serde;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the Confluent Schema Registry REST API ({@code POST /subjects/{s}/versions}, {@code
 * POST /subjects/{s}}, {@code GET /schemas/ids/{id}}), which Confluent's registry and Apicurio's
 * {@code /apis/ccompat/v7} both serve. Answers are cached for the life of the client: ids and
 * schemas never change once assigned.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private final RegistryHttp http;
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /**
   * Creates a client; it makes no call until it is first used.
   *
   * @param baseUrl the registry's base URL, for example {@code http://localhost:8081} or {@code
   *     http://localhost:8080/apis/ccompat/v7}; a trailing slash is ignored
   * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null for none
   * @param timeout the limit for connecting and for each request
   */
  public RestSchemaRegistryClient(String baseUrl, String basicAuthUserInfo, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    this.http = new RegistryHttp(normalize(baseUrl), basicAuthUserInfo, timeout);
  }

  /**
   * Returns the base URL the client calls, without a trailing slash.
   *
   * @return the base URL
   */
  public String baseUrl() {
    return http.baseUrl();
  }

  @Override
  public int register(String subject, Schema schema) {
    return cachedId(
        subject,
        schema,
        () -> postForId(subject, schema, "/subjects/" + encode(subject) + "/versions", false));
  }

  @Override
  public int idOf(String subject, Schema schema) {
    return cachedId(
        subject, schema, () -> postForId(subject, schema, "/subjects/" + encode(subject), true));
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    RegistryHttp.Answer answer = http.get("/schemas/ids/" + id);
    if (answer.status() == 404) {
      throw new SchemaRegistryException(
          "Unknown schema id " + id + " at schema registry " + baseUrl() + ": " + answer.body());
    }
    requireSuccess(answer, "GET /schemas/ids/" + id);
    Schema schema = parse(id, http.field(answer, "schema").asText());
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  @Override
  public String toString() {
    return "RestSchemaRegistryClient[" + baseUrl() + "]";
  }

  // A race may call the registry twice for one key; both answers are the same id, so no lock is
  // held across the HTTP call.
  private int cachedId(String subject, Schema schema, IntSupplier fetch) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    int id = fetch.getAsInt();
    idsBySubjectSchema.putIfAbsent(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  private int postForId(String subject, Schema schema, String path, boolean lookup) {
    RegistryHttp.Answer answer = http.postSchema(path, schema.toString());
    if (!lookup && answer.status() == 409) {
      // 409 is an incompatible schema in Confluent's API, but Apicurio also answers it to the loser
      // of a race to register the same schema. In that case the schema is registered: use its id.
      try {
        return postForId(subject, schema, "/subjects/" + encode(subject), true);
      } catch (SchemaRegistryUnavailableException e) {
        throw e;
      } catch (SchemaRegistryException notRegistered) {
        requireSuccess(answer, "POST " + path);
      }
    }
    if (lookup && answer.status() == 404) {
      throw SchemaRegistryException.notRegistered(schema, subject, baseUrl(), answer.body());
    }
    requireSuccess(answer, "POST " + path);
    return http.field(answer, "id").asInt();
  }

  private void requireSuccess(RegistryHttp.Answer answer, String call) {
    if (answer.isSuccess()) {
      return;
    }
    if (answer.status() == 401 || answer.status() == 403) {
      throw new SchemaRegistryUnavailableException(
          "Schema registry at "
              + baseUrl()
              + " refused the credentials (HTTP "
              + answer.status()
              + " for "
              + call
              + "): check the basic auth user info: "
              + answer.body());
    }
    String message =
        "Schema registry at "
            + baseUrl()
            + " answered HTTP "
            + answer.status()
            + " for "
            + call
            + ": "
            + answer.body();
    throw answer.status() >= 500
        ? new SchemaRegistryUnavailableException(message)
        : new SchemaRegistryException(message);
  }

  private Schema parse(int id, String schemaJson) {
    try {
      return new Schema.Parser().parse(schemaJson);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          "Schema id " + id + " at " + baseUrl() + " is not a valid Avro schema: " + schemaJson, e);
    }
  }

  // Path segments encode spaces as %20; URLEncoder writes form encoding, where a space is '+'.
  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String normalize(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    String trimmed = baseUrl.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("Schema registry URL has no scheme or host: " + baseUrl);
      }
      return trimmed;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Schema registry URL is not a valid URL: " + baseUrl, e);
    }
  }
}
