package io.engagementscorer.fetch;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 {@code GET} over a socket connected to an address chosen (and checked) by the
 * caller, so the name is never looked up a second time.
 *
 * <p>Why not {@code java.net.http.HttpClient} or {@code HttpsURLConnection}: both resolve the host
 * themselves when they connect, so a DNS answer that changes between our check and their lookup
 * (DNS rebinding) would take the request to an internal address; neither lets the caller supply the
 * address. Here the TCP connection goes to the checked {@link InetAddress}, and TLS is layered on
 * it with the URI's host name as the peer host: that name is sent as SNI and the server certificate
 * is verified against it ({@code HTTPS} endpoint identification), exactly as a normal client would.
 * The request is a plain {@code GET} with {@code Connection: close}; the response is read by {@code
 * Content-Length}, chunked transfer coding, or to end of stream.
 */
final class PinnedHttpExchange implements AutoCloseable {
  private static final int MAX_HEADER_LINE = 8 * 1024;
  private static final int MAX_HEADER_LINES = 100;

  private final Socket socket;
  private final InputStream in;
  private final int status;
  private final Map<String, String> headers;

  private PinnedHttpExchange(
      Socket socket, InputStream in, int status, Map<String, String> headers) {
    this.socket = socket;
    this.in = in;
    this.status = status;
    this.headers = headers;
  }

  /**
   * Connects to {@code address}, sends the request for {@code uri} and reads the response head.
   *
   * @param tls the TLS socket factory for {@code https}, null for plain {@code http}
   */
  static PinnedHttpExchange open(
      URI uri,
      InetAddress address,
      SSLSocketFactory tls,
      Duration connectTimeout,
      FetchDeadline deadline)
      throws IOException {
    String host = HostAllowList.normalise(uri.getHost());
    int port = uri.getPort() >= 0 ? uri.getPort() : (tls != null ? 443 : 80);
    Socket socket = new Socket();
    try {
      int connectMillis = (int) Math.min(connectTimeout.toMillis(), deadline.remainingMillis());
      socket.connect(new InetSocketAddress(address, port), connectMillis);
      socket.setSoTimeout(deadline.remainingMillis());
      Socket channel = tls == null ? socket : startTls(tls, socket, host, port);
      OutputStream out = channel.getOutputStream();
      out.write(requestHead(uri).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(new DeadlineInputStream(channel, deadline));
      int status = parseStatus(readLine(in));
      Map<String, String> headers = readHeaders(in);
      return new PinnedHttpExchange(channel, in, status, headers);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  int status() {
    return status;
  }

  /** A response header by case-insensitive name (repeated headers joined by commas), or null. */
  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /**
   * The response body, at most {@code maxBytes}.
   *
   * @throws io.engagementscorer.preprocess.InvalidInputException {@code image_too_large} from the
   *     declared length or while reading
   */
  byte[] readBody(long maxBytes, FetchDeadline deadline, URI uri) throws IOException {
    String transferEncoding = header("transfer-encoding");
    if (transferEncoding != null) {
      if (!transferEncoding.toLowerCase(Locale.ROOT).strip().endsWith("chunked")) {
        throw new IOException("unsupported transfer encoding " + transferEncoding);
      }
      return BoundedReader.readAtMost(new ChunkedInputStream(in), maxBytes, deadline, uri);
    }
    String contentLength = header("content-length");
    if (contentLength == null) {
      return BoundedReader.readAtMost(in, maxBytes, deadline, uri);
    }
    long length = parseContentLength(contentLength);
    if (length > maxBytes) {
      throw ImageFetchProblems.tooLarge(uri, maxBytes);
    }
    byte[] body =
        BoundedReader.readAtMost(new LimitedInputStream(in, length), maxBytes, deadline, uri);
    if (body.length != length) {
      throw new IOException("body ended after " + body.length + " of " + length + " bytes");
    }
    return body;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static SSLSocket startTls(SSLSocketFactory tls, Socket socket, String host, int port)
      throws IOException {
    SSLSocket ssl = (SSLSocket) tls.createSocket(socket, host, port, true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (!isIpLiteral(host)) {
      parameters.setServerNames(List.of(new SNIHostName(host)));
    }
    ssl.setSSLParameters(parameters);
    ssl.startHandshake();
    return ssl;
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  private static String requestHead(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String hostHeader = uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    return "GET "
        + target
        + " HTTP/1.1\r\n"
        + "Host: "
        + hostHeader
        + "\r\n"
        + "Accept: image/*\r\n"
        + "Accept-Encoding: identity\r\n"
        + "User-Agent: engagement-scorer\r\n"
        + "Connection: close\r\n\r\n";
  }

  private static int parseStatus(String line) throws IOException {
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
      throw new IOException("malformed HTTP status line");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("malformed HTTP status line", e);
    }
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (int count = 0; count <= MAX_HEADER_LINES; count++) {
      String line = readLine(in);
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed HTTP header line");
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      headers.merge(name, value, (first, second) -> first + ", " + second);
    }
    throw new IOException("more than " + MAX_HEADER_LINES + " HTTP header lines");
  }

  private static long parseContentLength(String value) throws IOException {
    try {
      long length = Long.parseLong(value.strip());
      if (length < 0) {
        throw new IOException("negative Content-Length");
      }
      return length;
    } catch (NumberFormatException e) {
      throw new IOException("malformed Content-Length", e);
    }
  }

  /** One CRLF- (or LF-) terminated line of at most {@link #MAX_HEADER_LINE} bytes. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the HTTP response head");
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      if (line.size() >= MAX_HEADER_LINE) {
        throw new IOException("HTTP response line longer than " + MAX_HEADER_LINE + " bytes");
      }
      line.write(b);
    }
  }

  /** Gives every socket read only the time left before the deadline. */
  private static final class DeadlineInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final FetchDeadline deadline;

    DeadlineInputStream(Socket socket, FetchDeadline deadline) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
    }

    @Override
    public int read() throws IOException {
      socket.setSoTimeout(deadline.remainingMillis());
      return in.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      socket.setSoTimeout(deadline.remainingMillis());
      return in.read(buffer, offset, length);
    }
  }

  /** Ends after a declared number of bytes. */
  private static final class LimitedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    LimitedInputStream(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int read = in.read(buffer, offset, (int) Math.min(length, left));
      if (read > 0) {
        left -= read;
      }
      return read;
    }
  }

  /** Decodes the chunked transfer coding (RFC 9112 section 7.1); trailers are ignored. */
  private static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long chunkLeft;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (done) {
        return -1;
      }
      if (chunkLeft == 0) {
        chunkLeft = nextChunkSize();
        if (chunkLeft == 0) {
          done = true;
          return -1;
        }
      }
      int read = in.read(buffer, offset, (int) Math.min(length, chunkLeft));
      if (read < 0) {
        throw new IOException("connection closed inside a chunk");
      }
      chunkLeft -= read;
      if (chunkLeft == 0 && !readLine(in).isEmpty()) {
        throw new IOException("malformed chunk end");
      }
      return read;
    }

    private long nextChunkSize() throws IOException {
      String line = readLine(in);
      int extension = line.indexOf(';');
      String size = (extension >= 0 ? line.substring(0, extension) : line).strip();
      try {
        long parsed = Long.parseUnsignedLong(size, 16);
        if (parsed < 0) {
          throw new IOException("chunk size out of range");
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IOException("malformed chunk size", e);
      }
    }
  }
}
