package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFetcherTest {
  private static final FetchSettings SETTINGS =
      FetchSettings.builder().optRetries(2).optRetryBackoff(Duration.ofMillis(1)).build();

  /** Fails a given number of times, then answers. */
  private static final class FlakySource implements ImageSource {
    final AtomicInteger attempts = new AtomicInteger();
    private final int failures;
    private final boolean retryable;

    FlakySource(int failures, boolean retryable) {
      this.failures = failures;
      this.retryable = retryable;
    }

    @Override
    public byte[] fetch(URI uri) {
      if (attempts.incrementAndGet() <= failures) {
        throw new ImageFetchException("store hiccup", retryable);
      }
      return new byte[] {42};
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://host/cat.png", "gopher://x/y", "data:image/png;base64,AAAA"})
  void shouldRefuseUnknownSchemesNamingTheUri(String uri) {
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of())) {
      assertThatThrownBy(() -> fetcher.fetch(uri))
          .isInstanceOfSatisfying(
              InvalidInputException.class,
              e -> assertThat(e.problem()).isEqualTo(InputProblem.INVALID_IMAGE_URI))
          .hasMessageContaining(uri.substring(0, 8))
          .hasMessageContaining("unsupported scheme");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "no-scheme/cat.png", "https://bad host/x", "s3://b/k%zz"})
  void shouldRefuseMalformedUris(String uri) {
    try (ImageFetcher fetcher =
        new ImageFetcher(SETTINGS, Map.of("https", new FlakySource(0, true)))) {
      assertThatThrownBy(() -> fetcher.fetch(uri))
          .isInstanceOfSatisfying(
              InvalidInputException.class,
              e -> assertThat(e.problem()).isEqualTo(InputProblem.INVALID_IMAGE_URI));
    }
  }

  @Test
  void shouldSayFileReferencesAreDisabledWithoutARoot() {
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of())) {
      assertThatThrownBy(() -> fetcher.fetch("file:///tmp/cat.png"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("not enabled");
    }
  }

  @Test
  void shouldRetryTransientFailuresAndThenSucceed() {
    FlakySource source = new FlakySource(2, true);
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of("s3", source))) {
      assertThat(fetcher.fetch("s3://bucket/key")).containsExactly(42);
    }
    assertThat(source.attempts).hasValue(3);
  }

  @Test
  void shouldGiveUpAfterTheConfiguredRetries() {
    FlakySource source = new FlakySource(100, true);
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of("s3", source))) {
      assertThatThrownBy(() -> fetcher.fetch("s3://bucket/key"))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("after 3 attempts");
    }
    assertThat(source.attempts).hasValue(3);
  }

  @Test
  void shouldNotRetryPermanentFailures() {
    FlakySource source = new FlakySource(100, false);
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of("s3", source))) {
      assertThatThrownBy(() -> fetcher.fetch("s3://bucket/key"))
          .isInstanceOfSatisfying(
              ImageFetchException.class, e -> assertThat(e.retryable()).isFalse());
    }
    assertThat(source.attempts).hasValue(1);
  }

  @Test
  void shouldDispatchOnTheSchemeIgnoringCase() {
    FlakySource source = new FlakySource(0, true);
    try (ImageFetcher fetcher = new ImageFetcher(SETTINGS, Map.of("s3", source))) {
      assertThat(fetcher.fetch("S3://bucket/key")).containsExactly(42);
    }
  }

  @Test
  void shouldQuoteUrisWithoutCredentialsOrQueryAndBounded() {
    assertThat(ImageFetchProblems.quote("https://user:pw@host/a.png?X-Amz-Signature=abc"))
        .isEqualTo("'https://…@host/a.png?…'");
    assertThat(ImageFetchProblems.quote("https://host/" + "a".repeat(500)))
        .hasSize(ImageFetchProblems.MAX_QUOTED_URI_LENGTH + 3);
  }
}
