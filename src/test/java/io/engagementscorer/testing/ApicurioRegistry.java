package io.engagementscorer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apicurio Registry (in-memory storage) in a child JVM on a free loopback port, for
 * integration tests of the Confluent-compatible API at {@code /apis/ccompat/v7}. The runnable
 * archive comes from the {@code apicurio.home} system property (failsafe sets it) or {@code
 * target/apicurio}; its output goes to {@code apicurio-<port>.log} beside that directory.
 */
public final class ApicurioRegistry implements AutoCloseable {
  private static final String RUNNER_JAR = "apicurio-registry-app-2.6.13.Final-runner.jar";
  private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 40;

  private final int port;
  private final Path log;
  private final Process process;

  private ApicurioRegistry(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts a registry and waits until its Confluent-compatible API answers.
   *
   * @return the running registry
   * @throws IllegalStateException when the archive is missing, or the registry exits or does not
   *     answer within 60 seconds; the message holds the tail of its log
   */
  public static ApicurioRegistry start() {
    Path home = home();
    Path jar = home.resolve(RUNNER_JAR);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Apicurio runner not found at "
              + jar.toAbsolutePath()
              + "; run `mvn process-test-resources` to unpack it, or set -Dapicurio.home");
    }
    int port = freePort();
    Path log = home.toAbsolutePath().getParent().resolve("apicurio-" + port + ".log");
    Process process = launch(jar, port, log);
    ApicurioRegistry registry = new ApicurioRegistry(port, log, process);
    try {
      registry.awaitReady();
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /**
   * Returns the base URL of the Confluent-compatible API.
   *
   * @return {@code http://127.0.0.1:<port>/apis/ccompat/v7}
   */
  public String url() {
    return "http://127.0.0.1:" + port + CCOMPAT_PATH;
  }

  /**
   * Returns the file the registry's output goes to.
   *
   * @return the log file
   */
  public Path log() {
    return log;
  }

  /** Stops the registry and its child processes, forcibly when they outlive a grace period. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static Path home() {
    String configured = System.getProperty("apicurio.home");
    return Path.of(configured != null ? configured : "target/apicurio");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free loopback port for Apicurio", e);
    }
  }

  private static Process launch(Path jar, int port, Path log) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    try {
      return new ProcessBuilder(
              java.toString(),
              "-Xmx512m",
              "-Dquarkus.http.port=" + port,
              "-Dquarkus.http.host=127.0.0.1",
              "-jar",
              jar.toAbsolutePath().toString())
          .directory(jar.getParent().toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start Apicurio from " + jar, e);
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(url() + "/subjects"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Apicurio exited with code " + process.exitValue() + " before answering" + logTail());
      }
      if (answers(http, probe)) {
        return;
      }
      sleep(Duration.ofMillis(100));
    }
    throw new IllegalStateException(
        "Apicurio did not answer " + probe.uri() + " within " + START_DEADLINE + logTail());
  }

  private static boolean answers(HttpClient http, HttpRequest probe) {
    try {
      return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Apicurio", e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return "; last lines of " + log + ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "; its log " + log + " could not be read: " + e;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Apicurio", e);
    }
  }
}
