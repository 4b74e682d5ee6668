package io.engagementscorer.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the service in a JVM of its own ({@code io.engagementscorer.Main} on this JVM's
 * classpath), on a fixed port and state directory, so that it can be killed with SIGKILL and
 * started again as the same member with the same local state. Its output is appended to {@code
 * <name>.log} in the run's directory, with a line marking each start.
 */
final class ServiceProcess implements AutoCloseable {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final String name;
  private final int port;
  private final Map<String, String> environment;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private Process process;

  ServiceProcess(String name, int port, Map<String, String> environment, Path log) {
    this.name = name;
    this.port = port;
    this.environment = Map.copyOf(environment);
    this.log = log;
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  /** Starts the instance (again); returns at once. */
  synchronized void start() throws IOException {
    Files.writeString(
        log,
        "==== fault run: starting instance " + name + " at " + Instant.now() + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m",
                    "-Dai.djl.offline=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.engagementscorer.Main"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
  }

  /** Kills the instance with SIGKILL, as a crash or a lost machine would, and waits for it. */
  synchronized void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The status of {@code GET /api/v1/health/ready} and its body; -1 when nothing answers. */
  Readiness readiness() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/api/v1/health/ready"))
                  .timeout(REQUEST_TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Readiness(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Readiness(-1, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Readiness(-1, "interrupted");
    }
  }

  /** {@code GET path} on this instance. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until the instance answers ready, or fails naming its log. */
  void awaitReady(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!isAlive()) {
        throw new IllegalStateException("instance " + name + " exited; see " + log);
      }
      if (readiness().status() == 200) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "instance " + name + " was not ready within " + deadline + "; see " + log);
  }

  /** Lines of the log that contain {@code text}. */
  long logLinesContaining(String text) throws IOException {
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(line -> line.contains(text)).count();
    }
  }

  /** A readiness answer. */
  record Readiness(int status, String body) {}

  /** Stops the instance with SIGTERM, or SIGKILL when it has not stopped within 30 s. */
  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
