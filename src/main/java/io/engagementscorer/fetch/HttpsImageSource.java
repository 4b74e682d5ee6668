package io.engagementscorer.fetch;

import io.engagementscorer.preprocess.InvalidInputException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Reads {@code https://} references from allow-listed hosts, guarding against server-side request
 * forgery: before each connection (the first and every redirect hop) the host must be on the
 * allow-list and every address DNS gives for it must be public; the connection then goes to one of
 * exactly those checked addresses (see {@link PinnedHttpExchange} for why that matters). Plain
 * {@code http://} is accepted only with {@link FetchSettings#allowPrivateAddresses()}.
 */
final class HttpsImageSource implements ImageSource {
  /** Redirects followed per fetch; each hop is checked like the first request. */
  static final int MAX_REDIRECTS = 3;

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final FetchSettings settings;
  private final HostAllowList allowList;
  private final SSLSocketFactory tls;
  private final Function<InetAddress, Optional<String>> addressCheck;

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
    this.tls = sslContext.getSocketFactory();
    this.addressCheck = addressCheck;
  }

  @Override
  public byte[] fetch(URI uri) {
    FetchDeadline deadline = FetchDeadline.in(settings.readTimeout());
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      List<InetAddress> addresses = checkTarget(uri, current, hop > 0);
      try (PinnedHttpExchange exchange = connect(current, addresses, deadline)) {
        int status = exchange.status();
        if (status >= 200 && status < 300) {
          return exchange.readBody(settings.maxBytes(), deadline, uri);
        }
        if (REDIRECTS.contains(status)) {
          current = redirectTarget(uri, current, exchange.header("location"));
          continue;
        }
        throw statusFailure(uri, status);
      } catch (SSLHandshakeException e) {
        throw new ImageFetchException(
            "TLS handshake with " + ImageFetchProblems.quote(current) + " failed", false, e);
      } catch (IOException e) {
        throw new ImageFetchException(
            "reading " + ImageFetchProblems.quote(uri) + " failed: " + e.getMessage(), true, e);
      }
    }
    throw new ImageFetchException(
        ImageFetchProblems.quote(uri) + " redirects more than " + MAX_REDIRECTS + " times", false);
  }

  /**
   * Checks scheme, host and addresses of one hop and returns the addresses to connect to.
   *
   * @throws InvalidInputException {@code image_uri_forbidden} or {@code invalid_image_uri}
   */
  private List<InetAddress> checkTarget(URI original, URI target, boolean redirected) {
    String prefix = redirected ? "redirect to a forbidden target: " : "";
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
    List<InetAddress> addresses = resolve(original, target.getHost());
    for (InetAddress address : addresses) {
      Optional<String> reason = addressCheck.apply(address);
      if (reason.isPresent()) {
        throw ImageFetchProblems.forbidden(original, prefix + "host resolves to " + reason.get());
      }
    }
    return addresses;
  }

  private static List<InetAddress> resolve(URI original, String host) {
    try {
      return Arrays.asList(InetAddress.getAllByName(HostAllowList.normalise(host)));
    } catch (UnknownHostException e) {
      // Allow-listed hosts are known names, so a failed lookup is most likely a DNS hiccup.
      throw new ImageFetchException(
          "host of " + ImageFetchProblems.quote(original) + " does not resolve", true, e);
    }
  }

  /** Connects to the checked addresses in turn until one answers. */
  private PinnedHttpExchange connect(URI uri, List<InetAddress> addresses, FetchDeadline deadline)
      throws IOException {
    SSLSocketFactory factory = "https".equalsIgnoreCase(uri.getScheme()) ? tls : null;
    ConnectException refused = null;
    for (InetAddress address : addresses) {
      try {
        return PinnedHttpExchange.open(uri, address, factory, settings.connectTimeout(), deadline);
      } catch (ConnectException e) {
        refused = e;
      }
    }
    throw refused;
  }

  private static URI redirectTarget(URI original, URI current, String location) {
    if (location == null || location.isBlank()) {
      throw new ImageFetchException(
          ImageFetchProblems.quote(original) + " redirects without a Location", false);
    }
    try {
      return current.resolve(new URI(location.strip()));
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
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
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default TLS context", e);
    }
  }
}
