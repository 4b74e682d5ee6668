package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaRegistryClientsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope("clients-test");
  }

  @Test
  void shouldGiveTheScopesMockRegistryForAMockUrl() {
    SchemaRegistryClient client =
        SchemaRegistryClients.create("mock://clients-test", null, TIMEOUT);

    assertThat(client).isSameAs(MockSchemaRegistry.forScope("clients-test"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://localhost:8081",
        "https://registry.example.com/",
        "http://127.0.0.1:8080/apis/ccompat/v7//"
      })
  void shouldGiveARestClientWithoutTrailingSlashesForAnHttpUrl(String url) {
    SchemaRegistryClient client = SchemaRegistryClients.create(url, "user:secret", TIMEOUT);

    assertThat(client).isInstanceOf(RestSchemaRegistryClient.class);
    assertThat(((RestSchemaRegistryClient) client).baseUrl())
        .isEqualTo(url.replaceAll("/+$", ""))
        .doesNotEndWith("/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:8081", "ftp://registry", "mock://", "", "http://"})
  void shouldRejectAnUnsupportedUrlNamingIt(String url) {
    assertThatThrownBy(() -> SchemaRegistryClients.create(url, null, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Schema registry URL")
        .hasMessageContaining(url);
  }
}
