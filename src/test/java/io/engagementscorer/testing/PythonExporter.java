package io.engagementscorer.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python exporter and scripts in {@code ops/} as a person would ({@code python -m exporter
 * ...}, {@code bash ops/train-tiny.sh ...}), after making sure {@code ops/.venv} exists ({@code
 * ops/venv.sh} is idempotent and fast once the venv matches requirements.txt).
 */
public final class PythonExporter {
  private static final Path OPS = Path.of("ops").toAbsolutePath();
  private static boolean venvReady;

  private PythonExporter() {}

  /**
   * Runs {@code python -m exporter <arguments>} from {@code ops/} with {@code environment} added.
   *
   * @return the command's output
   * @throws IllegalStateException with the output when the command fails
   */
  public static String run(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    ensureVenv();
    List<String> command = new ArrayList<>();
    command.add(OPS.resolve(".venv/bin/python").toString());
    command.add("-m");
    command.add("exporter");
    command.addAll(List.of(arguments));
    return execute(command, environment);
  }

  /**
   * Runs {@code bash ops/<script> <arguments>} from {@code ops/}.
   *
   * @return the script's output
   * @throws IllegalStateException with the output when the script fails
   */
  public static String script(String script, String... arguments)
      throws IOException, InterruptedException {
    ensureVenv();
    List<String> command = new ArrayList<>(List.of("bash", OPS.resolve(script).toString()));
    command.addAll(List.of(arguments));
    return execute(command, Map.of());
  }

  private static synchronized void ensureVenv() throws IOException, InterruptedException {
    if (!venvReady) {
      execute(List.of("bash", OPS.resolve("venv.sh").toString()), Map.of());
      venvReady = true;
    }
  }

  private static String execute(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(OPS.toFile());
    builder.redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
    return output;
  }
}
