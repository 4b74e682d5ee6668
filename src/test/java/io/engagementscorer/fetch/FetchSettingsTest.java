package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchSettingsTest {

  @Test
  void shouldStartFromSafeDefaults() {
    FetchSettings settings = FetchSettings.builder().build();

    assertThat(settings.allowedHosts()).isEmpty();
    assertThat(settings.fileRoot()).isNull();
    assertThat(settings.allowPrivateAddresses()).isFalse();
    assertThat(settings.maxBytes()).isEqualTo(FetchSettings.DEFAULT_MAX_BYTES);
    assertThat(settings.retries()).isEqualTo(FetchSettings.DEFAULT_RETRIES);
  }

  @Test
  void shouldLowerCaseAllowedHosts() {
    FetchSettings settings =
        FetchSettings.builder().optAllowedHosts(Set.of("Images.Example.COM", "*.CDN.net")).build();

    assertThat(settings.allowedHosts())
        .containsExactlyInAnyOrder("images.example.com", "*.cdn.net");
  }

  @Test
  void shouldNameTheSettingAndValueWhenInvalid() {
    assertThatThrownBy(() -> FetchSettings.builder().optAllowedHosts(Set.of("*.com")).build())
        .hasMessageContaining("allowedHosts")
        .hasMessageContaining("*.com");
    assertThatThrownBy(() -> FetchSettings.builder().optFileRoot(Path.of("relative")).build())
        .hasMessageContaining("fileRoot")
        .hasMessageContaining("relative");
    assertThatThrownBy(() -> FetchSettings.builder().optConnectTimeout(Duration.ZERO).build())
        .hasMessageContaining("connectTimeout")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> FetchSettings.builder().optReadTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> FetchSettings.builder().optReadTimeout(Duration.ofHours(1)).build())
        .hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> FetchSettings.builder().optMaxBytes(0).build())
        .hasMessageContaining("maxBytes")
        .hasMessageContaining("'0'");
    assertThatThrownBy(() -> FetchSettings.builder().optRetries(-1).build())
        .hasMessageContaining("retries");
    assertThatThrownBy(() -> FetchSettings.builder().optRetries(11).build())
        .hasMessageContaining("retries");
    assertThatThrownBy(() -> FetchSettings.builder().optRetryBackoff(Duration.ofMillis(-1)).build())
        .hasMessageContaining("retryBackoff");
  }
}
