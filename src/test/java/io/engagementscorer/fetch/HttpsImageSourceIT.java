package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetches from a real HTTPS server on 127.0.0.1 with a certificate made at test time. */
class HttpsImageSourceIT {
  private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 5, 6, 7, 8};
  private static final int MAX_BYTES = 1024;

  @TempDir static Path temp;
  private static SelfSignedTls tls;
  private static HttpsServer server;
  private static ExecutorService serverThreads;
  private static final AtomicInteger requests = new AtomicInteger();
  private static final AtomicInteger failingRequests = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    tls = SelfSignedTls.create(temp);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.server));
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/cat.png", counted(exchange -> answer(exchange, 200, IMAGE, false)));
    server.createContext("/chunked.png", counted(exchange -> answer(exchange, 200, IMAGE, true)));
    server.createContext(
        "/missing.png", counted(exchange -> answer(exchange, 404, new byte[0], false)));
    server.createContext(
        "/broken.png",
        counted(
            exchange -> {
              failingRequests.incrementAndGet();
              answer(exchange, 500, new byte[0], false);
            }));
    server.createContext(
        "/slow.png",
        counted(
            exchange -> {
              sleep(Duration.ofSeconds(3));
              answer(exchange, 200, IMAGE, false);
            }));
    server.createContext("/dripping.png", counted(HttpsImageSourceIT::drip));
    server.createContext(
        "/big.png", counted(exchange -> answer(exchange, 200, new byte[MAX_BYTES + 1], false)));
    server.createContext(
        "/big-chunked.png",
        counted(exchange -> answer(exchange, 200, new byte[10 * MAX_BYTES], true)));
    server.createContext("/moved.png", counted(exchange -> redirect(exchange, "/cat.png")));
    server.createContext(
        "/to-metadata.png",
        counted(exchange -> redirect(exchange, "https://169.254.169.254/latest/meta-data/")));
    server.createContext(
        "/to-other-loopback.png",
        counted(exchange -> redirect(exchange, "https://127.0.0.2:" + port() + "/cat.png")));
    server.createContext(
        "/to-unlisted.png",
        counted(exchange -> redirect(exchange, "https://elsewhere.example.net/cat.png")));
    server.createContext("/loop.png", counted(exchange -> redirect(exchange, "/loop.png")));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @BeforeEach
  void resetCounters() {
    requests.set(0);
    failingRequests.set(0);
  }

  @Test
  void shouldRefuseLoopbackWithDefaultSettings() {
    FetchSettings settings =
        FetchSettings.builder().optAllowedHosts(Set.of("localhost", "127.0.0.1")).build();
    try (ImageFetcher fetcher = fetcher(new HttpsImageSource(settings, tls.client), settings)) {
      assertProblem(fetcher, url("localhost", "/cat.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("loopback");
      assertProblem(fetcher, url("127.0.0.1", "/cat.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("loopback");
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void shouldFetchFromAnAllowListedHostWhenPrivateAddressesAreAllowed() {
    try (ImageFetcher fetcher = localFetcher(0)) {
      assertThat(fetcher.fetch(url("localhost", "/cat.png"))).isEqualTo(IMAGE);
      assertThat(fetcher.fetch(url("LOCALHOST", "/chunked.png?size=small"))).isEqualTo(IMAGE);
      assertThat(fetcher.fetch(url("localhost", "/moved.png"))).isEqualTo(IMAGE);
    }
  }

  @Test
  void shouldRefuseAHostNotOnTheAllowListBeforeConnecting() {
    try (ImageFetcher fetcher = localFetcher(0)) {
      assertProblem(fetcher, url("127.0.0.1", "/cat.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("allow-list");
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void shouldReportNotFound() {
    try (ImageFetcher fetcher = localFetcher(2)) {
      assertProblem(fetcher, url("localhost", "/missing.png"), InputProblem.IMAGE_NOT_FOUND);
    }
    assertThat(requests).hasValue(1);
  }

  @Test
  void shouldRetryServerErrorsThenFailRetryably() {
    try (ImageFetcher fetcher = localFetcher(2)) {
      assertThatThrownBy(() -> fetcher.fetch(url("localhost", "/broken.png")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("HTTP 500")
          .hasMessageContaining("after 3 attempts");
    }
    assertThat(failingRequests).hasValue(3);
  }

  @Test
  void shouldTimeOutOnASlowServer() {
    FetchSettings settings =
        localSettings(0).toBuilder().optReadTimeout(Duration.ofMillis(300)).build();
    long start = System.nanoTime();
    try (ImageFetcher fetcher = fetcher(new HttpsImageSource(settings, tls.client), settings)) {
      assertThatThrownBy(() -> fetcher.fetch(url("localhost", "/slow.png")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isTrue());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void shouldStopABodyThatTricklesInAtTheTotalTimeout() {
    // Each byte comes well within the socket timeout; only the total timeout can end this.
    FetchSettings settings =
        localSettings(0).toBuilder().optReadTimeout(Duration.ofMillis(300)).build();
    long start = System.nanoTime();
    try (ImageFetcher fetcher = fetcher(new HttpsImageSource(settings, tls.client), settings)) {
      assertThatThrownBy(() -> fetcher.fetch(url("localhost", "/dripping.png")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("took longer than");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void shouldReuseAPooledConnectionWhoseAddressWasCheckedOnce() {
    FetchSettings settings = localSettings(0).toBuilder().optAllowPrivateAddresses(false).build();
    AtomicInteger checks = new AtomicInteger();
    HttpsImageSource source =
        new HttpsImageSource(
            settings,
            tls.client,
            address -> {
              checks.incrementAndGet();
              return address.isLoopbackAddress()
                  ? Optional.empty()
                  : AddressClassifier.forbiddenReason(address);
            });
    try (ImageFetcher fetcher = fetcher(source, settings)) {
      assertThat(fetcher.fetch(url("localhost", "/cat.png"))).isEqualTo(IMAGE);
      int checksOfTheFirstConnection = checks.get();
      assertThat(fetcher.fetch(url("localhost", "/cat.png"))).isEqualTo(IMAGE);
      assertThat(fetcher.fetch(url("localhost", "/moved.png"))).isEqualTo(IMAGE);

      assertThat(checksOfTheFirstConnection).isPositive();
      assertThat(checks).hasValue(checksOfTheFirstConnection);
    }
    assertThat(requests).hasValue(4);
  }

  @Test
  void shouldRefuseAnOversizedBody() {
    try (ImageFetcher fetcher = localFetcher(0)) {
      assertProblem(fetcher, url("localhost", "/big.png"), InputProblem.IMAGE_TOO_LARGE);
      assertProblem(fetcher, url("localhost", "/big-chunked.png"), InputProblem.IMAGE_TOO_LARGE);
    }
  }

  @Test
  void shouldRefuseARedirectToAForbiddenTarget() {
    FetchSettings settings =
        localSettings(0).toBuilder()
            .optAllowPrivateAddresses(false)
            .optAllowedHosts(Set.of("localhost", "127.0.0.2", "169.254.169.254"))
            .build();
    // Only the test server's own addresses are exempt, so each redirect hop meets the real check.
    Set<InetAddress> testServer = Set.of(address("127.0.0.1"), address("::1"));
    HttpsImageSource source =
        new HttpsImageSource(
            settings,
            tls.client,
            address ->
                testServer.contains(address)
                    ? Optional.empty()
                    : AddressClassifier.forbiddenReason(address));
    try (ImageFetcher fetcher = fetcher(source, settings)) {
      assertThat(fetcher.fetch(url("localhost", "/moved.png"))).isEqualTo(IMAGE);
      assertProblem(fetcher, url("localhost", "/to-metadata.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("redirect")
          .hasMessageContaining("link-local");
      assertProblem(
              fetcher, url("localhost", "/to-other-loopback.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("redirect")
          .hasMessageContaining("loopback");
      assertProblem(fetcher, url("localhost", "/to-unlisted.png"), InputProblem.IMAGE_URI_FORBIDDEN)
          .hasMessageContaining("allow-list");
    }
  }

  @Test
  void shouldStopFollowingRedirectsAfterTheLimit() {
    try (ImageFetcher fetcher = localFetcher(0)) {
      assertThatThrownBy(() -> fetcher.fetch(url("localhost", "/loop.png")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("redirects more than");
    }
    assertThat(requests).hasValue(HttpsImageSource.MAX_REDIRECTS + 1);
  }

  @Test
  void shouldRefuseAnUntrustedCertificate() {
    FetchSettings settings =
        localSettings(0).toBuilder().optAllowedHosts(Set.of("127.0.0.1")).build();
    try (ImageFetcher fetcher =
        fetcher(new HttpsImageSource(settings, defaultContext()), settings)) {
      assertThatThrownBy(() -> fetcher.fetch(url("127.0.0.1", "/cat.png")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("TLS");
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  private static javax.net.ssl.SSLContext defaultContext() {
    try {
      return javax.net.ssl.SSLContext.getDefault();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FetchSettings localSettings(int retries) {
    return FetchSettings.builder()
        .optAllowedHosts(Set.of("localhost"))
        .optAllowPrivateAddresses(true)
        .optMaxBytes(MAX_BYTES)
        .optRetries(retries)
        .optRetryBackoff(Duration.ofMillis(10))
        .optReadTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static ImageFetcher localFetcher(int retries) {
    FetchSettings settings = localSettings(retries);
    return fetcher(new HttpsImageSource(settings, tls.client), settings);
  }

  private static ImageFetcher fetcher(HttpsImageSource source, FetchSettings settings) {
    return new ImageFetcher(settings, Map.of("https", source, "http", source));
  }

  private static String url(String host, String path) {
    return "https://" + host + ":" + port() + path;
  }

  private static int port() {
    return server.getAddress().getPort();
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertProblem(
      ImageFetcher fetcher, String uri, InputProblem problem) {
    return assertThatThrownBy(() -> fetcher.fetch(uri))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.problem()).isEqualTo(problem));
  }

  private static HttpHandler counted(HttpHandler handler) {
    return exchange -> {
      requests.incrementAndGet();
      handler.handle(exchange);
    };
  }

  private static void answer(HttpExchange exchange, int status, byte[] body, boolean chunked)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "image/png");
    exchange.sendResponseHeaders(status, chunked ? 0 : (body.length == 0 ? -1 : body.length));
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    } catch (IOException e) {
      // The client may hang up once it has seen enough; that is the point of some tests.
    }
  }

  /** Declares 40 bytes and sends one every 100 ms. */
  private static void drip(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "image/png");
    exchange.sendResponseHeaders(200, 40);
    try (OutputStream out = exchange.getResponseBody()) {
      for (int i = 0; i < 40; i++) {
        out.write(i);
        out.flush();
        sleep(Duration.ofMillis(100));
      }
    } catch (IOException e) {
      // The client hangs up at its deadline.
    }
  }

  private static void redirect(HttpExchange exchange, String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
