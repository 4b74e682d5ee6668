package io.engagementscorer.fetch;

import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.fetch.CheckedAddressResolver.ForbiddenAddressException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Reads {@code https://} references from allow-listed hosts through Apache HttpClient, guarding
 * against server-side request forgery: before each request (the first and every redirect hop) the
 * host must be on the allow-list, and the client's resolver ({@link CheckedAddressResolver})
 * refuses to connect unless every address DNS gives for the host is public. The connection goes to
 * exactly those checked addresses, with TLS verified against the host name. Plain {@code http://}
 * is accepted only with {@link FetchSettings#allowPrivateAddresses()}.
 *
 * <p>Connections to allow-listed hosts are pooled and reused. Redirects are followed here rather
 * than by the client, so that each hop meets the same checks. A fetch attempt, redirects included,
 * is cancelled when its {@link FetchSettings#readTimeout()} is over, wherever it is then.
 */
final class HttpsImageSource implements ImageSource {
  /** Redirects followed per fetch; each hop is checked like the first request. */
  static final int MAX_REDIRECTS = 3;

  // Open connections per host and in all. Fetches run on the stream's preparation pool, a thread
  // per core, so every thread can fetch at once without waiting for a connection.
  private static final int MAX_CONNECTIONS_PER_HOST = 32;
  private static final int MAX_CONNECTIONS = 128;

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final String USER_AGENT = "engagement-scorer";

  private final FetchSettings settings;
  private final HostAllowList allowList;
  private final CloseableHttpClient client;
  private final ScheduledThreadPoolExecutor deadlines;

  /** A source trusting the JVM's default trust store. */
  HttpsImageSource(FetchSettings settings) {
    this(settings, defaultSslContext());
  }

  /** A source trusting what {@code sslContext} trusts (tests use a self-signed certificate). */
  HttpsImageSource(FetchSettings settings, SSLContext sslContext) {
    this(
        settings,
        sslContext,
        settings.allowPrivateAddresses()
            ? address -> Optional.empty()
            : AddressClassifier::forbiddenReason);
  }

  /**
   * A source with its own address check, which says why an address must not be reached (tests
   * exempt their loopback server, and nothing else, to see redirect hops being checked).
   */
  HttpsImageSource(
      FetchSettings settings,
      SSLContext sslContext,
      Function<InetAddress, Optional<String>> addressCheck) {
    this.settings = settings;
    this.allowList = HostAllowList.of(settings.allowedHosts());
    this.client = httpClient(settings, connectionManager(settings, sslContext, addressCheck));
    this.deadlines =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "https-image-fetch-deadline");
              thread.setDaemon(true);
              return thread;
            });
    // Almost every fetch ends before its deadline: drop the cancelled timers at once.
    deadlines.setRemoveOnCancelPolicy(true);
  }

  @Override
  public byte[] fetch(URI uri) {
    FetchDeadline deadline = FetchDeadline.in(settings.readTimeout());
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      boolean redirected = hop > 0;
      checkTarget(uri, current, redirected);
      HttpGet request = new HttpGet(current);
      ScheduledFuture<?> timeout =
          deadlines.schedule(request::cancel, deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
      try (ClassicHttpResponse response = client.executeOpen(null, request, null)) {
        int status = response.getCode();
        if (status >= 200 && status < 300) {
          return readBody(request, response, uri, deadline);
        }
        if (!REDIRECTS.contains(status)) {
          throw statusFailure(uri, status);
        }
        current = redirectTarget(uri, current, response.getFirstHeader(HttpHeaders.LOCATION));
      } catch (ForbiddenAddressException e) {
        throw ImageFetchProblems.forbidden(
            uri, prefix(redirected) + "host resolves to " + e.reason());
      } catch (UnknownHostException e) {
        // Allow-listed hosts are known names, so a failed lookup is most likely a DNS hiccup.
        throw new ImageFetchException(
            "host of " + ImageFetchProblems.quote(uri) + " does not resolve", true, e);
      } catch (SSLHandshakeException | SSLPeerUnverifiedException e) {
        throw new ImageFetchException(
            "TLS handshake with " + ImageFetchProblems.quote(current) + " failed", false, e);
      } catch (IOException e) {
        String why =
            deadline.hasPassed()
                ? "took longer than " + settings.readTimeout()
                : "failed: " + e.getMessage();
        throw new ImageFetchException(
            "reading " + ImageFetchProblems.quote(uri) + " " + why, true, e);
      } finally {
        timeout.cancel(false);
      }
    }
    throw new ImageFetchException(
        ImageFetchProblems.quote(uri) + " redirects more than " + MAX_REDIRECTS + " times", false);
  }

  /** Closes the pooled connections and the client. */
  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
    deadlines.shutdownNow();
  }

  private static HttpClientConnectionManager connectionManager(
      FetchSettings settings,
      SSLContext sslContext,
      Function<InetAddress, Optional<String>> addressCheck) {
    return PoolingHttpClientConnectionManagerBuilder.create()
        .setDnsResolver(new CheckedAddressResolver(addressCheck))
        .setTlsSocketStrategy(
            ClientTlsStrategyBuilder.create()
                .setSslContext(sslContext)
                // The JDK's endpoint identification and HttpClient's own host name check.
                .setHostVerificationPolicy(HostnameVerificationPolicy.BOTH)
                .buildClassic())
        .setDefaultConnectionConfig(
            ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                .setSocketTimeout(Timeout.of(settings.readTimeout()))
                .build())
        .setMaxConnPerRoute(MAX_CONNECTIONS_PER_HOST)
        .setMaxConnTotal(MAX_CONNECTIONS)
        .build();
  }

  private static CloseableHttpClient httpClient(
      FetchSettings settings, HttpClientConnectionManager connections) {
    List<Header> headers =
        List.of(
            new BasicHeader(HttpHeaders.ACCEPT, "image/*"),
            // The bytes counted against the size cap are the image's own, never a compressed form.
            new BasicHeader(HttpHeaders.ACCEPT_ENCODING, "identity"));
    return HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(
            RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(settings.connectTimeout()))
                .setResponseTimeout(Timeout.of(settings.readTimeout()))
                .build())
        .setDefaultHeaders(headers)
        .setUserAgent(USER_AGENT)
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableContentCompression()
        .disableCookieManagement()
        .build();
  }

  /**
   * Checks scheme, host and allow-list of one hop; its addresses are checked when it connects.
   *
   * @throws InvalidInputException {@code image_uri_forbidden} or {@code invalid_image_uri}
   */
  private void checkTarget(URI original, URI target, boolean redirected) {
    String prefix = prefix(redirected);
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && settings.allowPrivateAddresses())) {
      throw ImageFetchProblems.forbidden(original, prefix + "only https is accepted");
    }
    if (target.getHost() == null) {
      throw redirected
          ? ImageFetchProblems.forbidden(original, prefix + "no host")
          : ImageFetchProblems.invalidUri(original.toString(), "no host");
    }
    if (target.getRawUserInfo() != null) {
      throw ImageFetchProblems.forbidden(original, prefix + "credentials in the URI");
    }
    if (!allowList.allows(target.getHost())) {
      throw ImageFetchProblems.forbidden(original, prefix + "host not on the allow-list");
    }
  }

  private static String prefix(boolean redirected) {
    return redirected ? "redirect to a forbidden target: " : "";
  }

  /**
   * The body, at most {@link FetchSettings#maxBytes()}.
   *
   * @throws InvalidInputException {@code image_too_large} from the declared length or while reading
   */
  private byte[] readBody(
      HttpGet request, ClassicHttpResponse response, URI uri, FetchDeadline deadline)
      throws IOException {
    HttpEntity entity = response.getEntity();
    if (entity == null) {
      return new byte[0];
    }
    long maxBytes = settings.maxBytes();
    try {
      if (entity.getContentLength() > maxBytes) {
        throw ImageFetchProblems.tooLarge(uri, maxBytes);
      }
      return BoundedReader.readAtMost(entity.getContent(), maxBytes, deadline, uri);
    } catch (RuntimeException | IOException e) {
      // Closing the response would otherwise read the rest of the body to reuse the connection.
      request.cancel();
      throw e;
    }
  }

  private static URI redirectTarget(URI original, URI current, Header location) {
    if (location == null || location.getValue().isBlank()) {
      throw new ImageFetchException(
          ImageFetchProblems.quote(original) + " redirects without a Location", false);
    }
    try {
      return current.resolve(new URI(location.getValue().strip()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new ImageFetchException(
          ImageFetchProblems.quote(original) + " redirects to a malformed Location", false, e);
    }
  }

  private static RuntimeException statusFailure(URI uri, int status) {
    if (status == 404 || status == 410) {
      return ImageFetchProblems.notFound(uri, "HTTP " + status);
    }
    boolean transientStatus = status == 408 || status == 429 || (status >= 500 && status != 501);
    return new ImageFetchException(
        ImageFetchProblems.quote(uri) + " answered HTTP " + status, transientStatus);
  }

  private static SSLContext defaultSslContext() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default TLS context", e);
    }
  }
}
