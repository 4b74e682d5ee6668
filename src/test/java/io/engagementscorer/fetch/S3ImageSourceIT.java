package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.s3.S3Settings;
import io.engagementscorer.s3.SharedS3Connection;
import io.engagementscorer.testing.S3Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Fetches from s3proxy, an S3-compatible server in this JVM over an in-memory blob store. */
class S3ImageSourceIT {
  private static final byte[] IMAGE = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3, 4};
  private static final int MAX_BYTES = 1024;

  private S3Store store;
  private SharedS3Connection connection;
  private ImageFetcher fetcher;

  @BeforeEach
  void startStore() throws Exception {
    store = S3Store.start();
    store.createBucket("images");
    store.put("images", "posts/cat.jpg", IMAGE);
    store.put("images", "big.jpg", new byte[MAX_BYTES + 1]);
    FetchSettings settings =
        FetchSettings.builder()
            .optMaxBytes(MAX_BYTES)
            .optRetries(2)
            .optRetryBackoff(Duration.ofMillis(10))
            .optConnectTimeout(Duration.ofSeconds(1))
            .optReadTimeout(Duration.ofSeconds(5))
            .build();
    connection =
        SharedS3Connection.of(
            new S3Settings(URI.create(store.endpoint()), true, S3Settings.DEFAULT_REGION),
            () ->
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(S3Store.ACCESS_KEY, S3Store.SECRET_KEY)));
    fetcher = new ImageFetcher(settings, Map.of("s3", new S3ImageSource(settings, connection)));
  }

  @AfterEach
  void stopStore() {
    fetcher.close();
    connection.close();
    store.close();
  }

  @Test
  void shouldFetchAnObject() {
    assertThat(fetcher.fetch("s3://images/posts/cat.jpg")).isEqualTo(IMAGE);
  }

  @Test
  void shouldReportAMissingKeyAsNotFound() {
    assertProblem("s3://images/posts/dog.jpg", InputProblem.IMAGE_NOT_FOUND)
        .hasMessageContaining("no such key");
  }

  @Test
  void shouldReportAMissingBucketAsNotFound() {
    assertProblem("s3://no-such-bucket/cat.jpg", InputProblem.IMAGE_NOT_FOUND)
        .hasMessageContaining("bucket");
  }

  @Test
  void shouldRefuseAnObjectOverTheCap() {
    assertProblem("s3://images/big.jpg", InputProblem.IMAGE_TOO_LARGE);
  }

  @Test
  void shouldRefuseAMalformedBucketName() {
    assertProblem("s3://Bad_Bucket/cat.jpg", InputProblem.INVALID_IMAGE_URI);
    assertProblem("s3://images", InputProblem.INVALID_IMAGE_URI);
  }

  @Test
  void shouldFailRetryablyAfterRetriesWhenTheStoreIsDown() throws Exception {
    store.stop();

    assertThatThrownBy(() -> fetcher.fetch("s3://images/posts/cat.jpg"))
        .isInstanceOfSatisfying(ImageFetchException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("after 3 attempts");
  }

  /**
   * A store that sends the headers and the first bytes of an object, then nothing: the fetch gives
   * up at its own timeout (1 s here), not at the shared connection's read timeout (60 s).
   */
  @Test
  @Timeout(30)
  void shouldGiveUpOnABodyThatStallsAtTheFetchTimeout() throws Exception {
    try (ServerSocket stalling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SharedS3Connection stalled =
            SharedS3Connection.of(
                new S3Settings(
                    URI.create("http://127.0.0.1:" + stalling.getLocalPort()),
                    true,
                    S3Settings.DEFAULT_REGION),
                () ->
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Store.ACCESS_KEY, S3Store.SECRET_KEY)))) {
      Thread server = new Thread(() -> sendHeadersThenStall(stalling), "stalling-s3");
      server.setDaemon(true);
      server.start();
      FetchSettings settings =
          FetchSettings.builder()
              .optMaxBytes(MAX_BYTES)
              .optRetries(0)
              .optReadTimeout(Duration.ofSeconds(1))
              .build();
      S3ImageSource source = new S3ImageSource(settings, stalled);

      assertThatThrownBy(() -> source.fetch(URI.create("s3://images/posts/cat.jpg")))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isTrue());
    }
  }

  private static void sendHeadersThenStall(ServerSocket server) {
    try (Socket socket = server.accept()) {
      BufferedReader request =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      while ((line = request.readLine()) != null && !line.isEmpty()) {
        // the request line and headers; the body of a GET is empty
      }
      OutputStream out = socket.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(IMAGE);
      out.flush();
      Thread.sleep(Duration.ofMinutes(2).toMillis());
    } catch (IOException | InterruptedException e) {
      // the test is over, or the client hung up
    }
  }

  private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertProblem(
      String uri, InputProblem problem) {
    return assertThatThrownBy(() -> fetcher.fetch(uri))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.problem()).isEqualTo(problem));
  }
}
