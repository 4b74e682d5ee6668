package io.engagementscorer.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

  @Test
  void shouldDefaultToAwsInUsEast1() {
    assertThat(S3Settings.DEFAULT_REGION).isEqualTo("us-east-1");
  }

  @Test
  void shouldNameTheSettingAndValueWhenInvalid() {
    assertThatThrownBy(
            () -> new S3Settings(URI.create("ftp://store:9000"), false, S3Settings.DEFAULT_REGION))
        .hasMessageContaining("endpoint")
        .hasMessageContaining("ftp://store:9000");
    assertThatThrownBy(() -> new S3Settings(null, false, " ")).hasMessageContaining("region");
  }

  @Test
  void shouldAcceptAnS3CompatibleEndpoint() {
    S3Settings settings = new S3Settings(URI.create("http://127.0.0.1:9000"), true, "eu-west-1");

    assertThat(settings.pathStyle()).isTrue();
    assertThat(settings.endpoint()).hasPort(9000);
    assertThat(settings.describe()).isEqualTo("http://127.0.0.1:9000");
  }
}
