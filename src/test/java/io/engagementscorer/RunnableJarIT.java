package io.engagementscorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The jar that {@code mvn package} leaves in {@code target/} runs as a person runs it, {@code java
 * -jar target/engagement-scorer.jar}, in a JVM of its own with nothing on its classpath but what
 * its manifest names in {@code target/lib}. Failsafe runs this after packaging.
 */
class RunnableJarIT {
  private static final Path JAR = Path.of("target", "engagement-scorer.jar").toAbsolutePath();

  private record Run(int exitCode, String output) {}

  private static Run runJar(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    assertThat(JAR).as("the packaged jar").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the jar exited").isTrue();
    return new Run(process.exitValue(), output);
  }

  @Test
  void shouldPrintTheUsageAndEveryConfigurationVariableWithHelp() throws Exception {
    Run help = runJar(Map.of(), "--help");

    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output())
        .contains("Usage: java -jar engagement-scorer.jar")
        .contains("--check-model")
        .containsPattern("(?m)^  PORT +\\[8000]")
        .containsPattern("(?m)^  FEATURE_CACHE_MB +\\[256]")
        .containsPattern("(?m)^  KAFKA_BOOTSTRAP_SERVERS +\\[unset: HTTP only]")
        .doesNotContain("`");
  }

  @Test
  void shouldLoadAndSelfCheckTheBundledModelFromTheJarAlone() throws Exception {
    Run check =
        runJar(
            Map.of("MODEL_DIR", Path.of("models/tiny").toAbsolutePath().toString()),
            "--check-model");

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("self-check passed");
  }

  @Test
  void shouldRefuseAnUnknownArgumentWithExitCodeTwo() throws Exception {
    Run unknown = runJar(Map.of(), "--no-such-option");

    assertThat(unknown.exitCode()).as(unknown.output()).isEqualTo(2);
    assertThat(unknown.output()).contains("Unknown argument --no-such-option");
  }
}
