package io.engagementscorer.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The one S3 connection opens on first use, once for every user, and closes once. Opening an S3
 * client connects to nothing, so these tests open real ones (to a port nothing listens on) and
 * count through the credentials provider the connection owns and closes.
 */
class SharedS3ConnectionTest {
  private static final S3Settings SETTINGS =
      new S3Settings(URI.create("http://127.0.0.1:9"), true, S3Settings.DEFAULT_REGION);

  /** Credentials that count how often a connection was opened with them, and closed. */
  private static final class CountingCredentials
      implements AwsCredentialsProvider, SdkAutoCloseable {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    CountingCredentials open() {
      opened.incrementAndGet();
      return this;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      return AwsBasicCredentials.create("access", "secret");
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  private final CountingCredentials credentials = new CountingCredentials();
  private final SharedS3Connection shared = SharedS3Connection.of(SETTINGS, credentials::open);

  @Test
  void shouldOpenNothingUntilFirstUse() {
    assertThat(shared.settings()).isEqualTo(SETTINGS);
    assertThat(credentials.opened).hasValue(0);

    shared.close();

    assertThat(credentials.opened).hasValue(0);
    assertThat(credentials.closed).hasValue(0);
  }

  @Test
  void shouldOpenOnceForEveryUser() throws Exception {
    ExecutorService users = Executors.newFixedThreadPool(4);
    try {
      List<Callable<S3Connection>> calls = new ArrayList<>();
      for (int user = 0; user < 8; user++) {
        calls.add(shared::get);
      }
      List<S3Connection> connections = new ArrayList<>();
      for (Future<S3Connection> connection : users.invokeAll(calls)) {
        connections.add(connection.get());
      }

      assertThat(connections).hasSize(8).allSatisfy(c -> assertThat(c).isSameAs(shared.get()));
      assertThat(credentials.opened).hasValue(1);
    } finally {
      users.shutdownNow();
      shared.close();
    }
  }

  @Test
  void shouldCloseOnceAtShutdown() {
    shared.get();

    shared.close();
    shared.close();

    assertThat(credentials.closed).hasValue(closesOfOneConnection());
  }

  /** How often closing one connection closes its credentials (the SDK's client does too). */
  private static int closesOfOneConnection() {
    CountingCredentials alone = new CountingCredentials();
    S3Connection.open(SETTINGS, alone, Duration.ofSeconds(1), Duration.ofSeconds(1), calls -> {})
        .close();
    assertThat(alone.closed.get()).isPositive();
    return alone.closed.get();
  }

  @Test
  void shouldRefuseUseAfterClose() {
    shared.get();
    shared.close();

    assertThatThrownBy(shared::get)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed")
        .hasMessageContaining("127.0.0.1:9");
    assertThat(credentials.opened).hasValue(1);
  }
}
