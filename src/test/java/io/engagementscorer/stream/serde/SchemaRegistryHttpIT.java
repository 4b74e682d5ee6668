package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.engagementscorer.avro.PostEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST client's requests and error messages, against a scripted registry on loopback: what
 * Apicurio cannot be made to do on demand (refuse credentials, fail, stall).
 */
class SchemaRegistryHttpIT {
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Reply reply = new Reply(200, "{\"id\": 7}", Duration.ZERO);
  // Answers for the first requests, in order; `reply` answers the rest.
  private final ConcurrentLinkedQueue<Reply> firstReplies = new ConcurrentLinkedQueue<>();
  private HttpServer server;
  private ExecutorService executor;

  private record Request(
      String method, String rawPath, String contentType, String auth, String body) {}

  private record Reply(int status, String body, Duration delay) {}

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Test
  void shouldPostTheSchemaAsConfluentJsonWithBasicAuthToTheEncodedSubject() {
    var client = new RestSchemaRegistryClient(baseUrl() + "/ccompat/", "alice:s3cret", timeout());

    int id = client.register("my topic-value", PostEvent.getClassSchema());

    assertThat(id).isEqualTo(7);
    Request request = requests.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.rawPath()).isEqualTo("/ccompat/subjects/my%20topic-value/versions");
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.auth())
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(request.body()).startsWith("{\"schema\":\"{\\\"type\\\":\\\"record\\\"");
  }

  @Test
  void shouldCallTheRegistryOnceForASubjectAndSchemaAndKnowTheirIdAndSchemaAfterwards() {
    var client = new RestSchemaRegistryClient(baseUrl(), null, timeout());

    client.register("posts-value", PostEvent.getClassSchema());
    client.register("posts-value", PostEvent.getClassSchema());
    client.idOf("posts-value", PostEvent.getClassSchema());
    client.schemaById(7);

    assertThat(requests)
        .extracting(Request::rawPath)
        .containsExactly("/subjects/posts-value/versions");
  }

  @Test
  void shouldFetchASchemaByIdOnce() {
    reply = new Reply(200, "{\"schema\": \"\\\"string\\\"\"}", Duration.ZERO);
    var client = new RestSchemaRegistryClient(baseUrl(), null, timeout());

    client.schemaById(3);
    client.schemaById(3);

    assertThat(client.schemaById(3).getType()).isEqualTo(Schema.Type.STRING);
    assertThat(requests).extracting(Request::rawPath).containsExactly("/schemas/ids/3");
  }

  @Test
  void shouldReportRefusedCredentials() {
    reply = new Reply(401, "{\"error_code\": 401, \"message\": \"Unauthorized\"}", Duration.ZERO);
    var client = new RestSchemaRegistryClient(baseUrl(), "alice:wrong", timeout());

    assertThatThrownBy(() -> client.register("posts-value", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Schema registry at " + baseUrl() + " refused the credentials")
        .hasMessageContaining("HTTP 401");
  }

  @Test
  void shouldReportAnHttpErrorWithTheRegistrysBody() {
    reply = new Reply(409, "{\"error_code\": 409, \"message\": \"incompatible\"}", Duration.ZERO);
    var client = new RestSchemaRegistryClient(baseUrl(), null, timeout());

    assertThatThrownBy(() -> client.register("posts-value", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining(
            "answered HTTP 409 for POST /subjects/posts-value/versions: {\"error_code\": 409,"
                + " \"message\": \"incompatible\"}");
  }

  @Test
  void shouldUseTheIdOfASchemaThatAnotherClientRegisteredAMomentBefore() {
    firstReplies.add(
        new Reply(409, "{\"error_code\": 409, \"message\": \"already exists\"}", Duration.ZERO));
    reply =
        new Reply(200, "{\"id\": 5, \"subject\": \"posts-value\", \"version\": 1}", Duration.ZERO);
    var client = new RestSchemaRegistryClient(baseUrl(), null, timeout());

    assertThat(client.register("posts-value", PostEvent.getClassSchema())).isEqualTo(5);
    assertThat(requests)
        .extracting(Request::rawPath)
        .containsExactly("/subjects/posts-value/versions", "/subjects/posts-value");
  }

  @Test
  void shouldReportAnAnswerThatIsNotTheRegistrysJson() {
    reply = new Reply(200, "<html>proxy login</html>", Duration.ZERO);
    var client = new RestSchemaRegistryClient(baseUrl(), null, timeout());

    assertThatThrownBy(() -> client.register("posts-value", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Unexpected answer from schema registry at " + baseUrl())
        .hasMessageContaining("<html>proxy login</html>");
  }

  @Test
  void shouldGiveUpOnAStalledRegistryAfterTheTimeout() {
    reply = new Reply(200, "{\"id\": 7}", Duration.ofSeconds(5));
    var client = new RestSchemaRegistryClient(baseUrl(), null, Duration.ofMillis(300));

    assertThatThrownBy(() -> client.register("posts-value", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Schema registry at " + baseUrl() + " is unreachable")
        .hasMessageContaining("timed out");
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static Duration timeout() {
    return Duration.ofSeconds(5);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("Content-Type"),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body));
    Reply queued = firstReplies.poll();
    Reply current = queued != null ? queued : reply;
    try {
      Thread.sleep(current.delay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    byte[] answer = current.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(current.status(), answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }
}
