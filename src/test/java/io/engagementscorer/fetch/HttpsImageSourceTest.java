package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Refusals that happen before any connection; IP literals need no DNS lookup. */
class HttpsImageSourceTest {
  private final HttpsImageSource source =
      new HttpsImageSource(
          FetchSettings.builder()
              .optAllowedHosts(
                  Set.of(
                      "images.example.com",
                      "127.0.0.1",
                      "169.254.169.254",
                      "10.1.2.3",
                      "::1",
                      "::ffff:192.168.0.1",
                      "100.64.1.1"))
              .build());

  @AfterEach
  void closeSource() {
    source.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "https://other.example.com/cat.png, host not on the allow-list",
    "https://images.example.com.evil.net/cat.png, host not on the allow-list",
    "http://images.example.com/cat.png, only https",
    "https://user:secret@images.example.com/cat.png, credentials",
    "https://127.0.0.1/cat.png, loopback",
    "https://169.254.169.254/latest/meta-data/, link-local",
    "https://10.1.2.3/cat.png, private",
    "https://[::1]/cat.png, loopback",
    "https://[::ffff:192.168.0.1]/cat.png, private",
    "https://100.64.1.1/cat.png, carrier-grade NAT",
  })
  void shouldRefuseBeforeConnecting(String uri, String reason) {
    assertThatThrownBy(() -> source.fetch(URI.create(uri)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> assertThat(e.problem()).isEqualTo(InputProblem.IMAGE_URI_FORBIDDEN))
        .hasMessageContaining(reason)
        .hasMessageNotContaining("secret");
  }
}
