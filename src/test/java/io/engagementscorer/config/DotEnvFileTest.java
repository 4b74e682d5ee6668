package io.engagementscorer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotEnvFileTest {
  @TempDir Path directory;

  @Test
  void shouldReadAssignmentsCommentsQuotesAndExports() throws IOException {
    Path file =
        Files.writeString(
            directory.resolve(".env"),
            """
            # Server Configuration
            HOST=0.0.0.0
            export PORT=8100
            LOG_LEVEL="debug"
            S3_BUCKET_NAME='my bucket'
            MAX_COMMENTS=50 # fewer for local runs

            """);

    Map<String, String> values = DotEnvFile.overlay(file, Map.of());

    assertThat(values)
        .containsEntry("HOST", "0.0.0.0")
        .containsEntry("PORT", "8100")
        .containsEntry("LOG_LEVEL", "debug")
        .containsEntry("S3_BUCKET_NAME", "my bucket")
        .containsEntry("MAX_COMMENTS", "50");
  }

  @Test
  void shouldLetTheRealEnvironmentWinOverTheFile() throws IOException {
    Path file = Files.writeString(directory.resolve(".env"), "PORT=8100\nHOST=127.0.0.1\n");

    Map<String, String> values = DotEnvFile.overlay(file, Map.of("PORT", "9000"));

    assertThat(values).containsEntry("PORT", "9000").containsEntry("HOST", "127.0.0.1");
  }

  @Test
  void shouldUseTheEnvironmentAloneWhenThereIsNoFile() {
    assertThat(DotEnvFile.overlay(directory.resolve("missing.env"), Map.of("PORT", "1")))
        .isEqualTo(Map.of("PORT", "1"));
  }

  @Test
  void shouldNameTheLineThatIsNotAnAssignment() throws IOException {
    Path file = Files.writeString(directory.resolve(".env"), "PORT=1\nnonsense\n");

    assertThatThrownBy(() -> DotEnvFile.overlay(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 2");
  }
}
