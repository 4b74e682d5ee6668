package io.engagementscorer.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the client tools that integration tests drive against a running service (Confluent's Python
 * client, Schemathesis) with the Python of {@code ops/.venv-clients}, made first from {@code
 * ops/requirements-clients.txt} by {@code ops/venv.sh} (idempotent, and fast once the venv
 * matches), so that a fresh machine needs nothing installed by hand. A command's standard error
 * goes to a log file in {@code target/}; its standard output is returned.
 */
public final class ClientTools {
  private static final Path VENV = Path.of("ops/.venv-clients").toAbsolutePath();
  private static final Path REQUIREMENTS = Path.of("ops/requirements-clients.txt");
  private static final long TIMEOUT_MINUTES = 10;
  private static final File NO_INPUT = new File("/dev/null");
  private static boolean venvReady;

  private ClientTools() {}

  /**
   * The output of a finished command.
   *
   * @param exitCode its exit status
   * @param stdout what it printed on standard output
   * @param log the file its standard error went to
   */
  public record Result(int exitCode, String stdout, Path log) {
    /** The last lines of the log, for failure messages. */
    public String logTail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
      } catch (IOException e) {
        return "(could not read " + log + ": " + e + ")";
      }
    }
  }

  /**
   * Runs {@code ops/.venv-clients/bin/<program> <arguments>} from the repository root.
   *
   * @param logName the name of the log file in {@code target/} that standard error goes to
   * @return its exit status and standard output
   * @throws IllegalStateException when the venv cannot be made or the command outlives 10 minutes
   */
  public static Result run(String logName, String program, String... arguments)
      throws IOException, InterruptedException {
    return runIn(Path.of("").toAbsolutePath(), logName, program, arguments);
  }

  /**
   * Runs {@code ops/.venv-clients/bin/<program> <arguments>} from {@code directory}: for tools that
   * leave caches or example databases where they run (Schemathesis, Hypothesis), which belong in a
   * test's temporary folder rather than in the checkout.
   *
   * @param logName the name of the log file in {@code target/} that standard error goes to
   * @return its exit status and standard output
   * @throws IllegalStateException when the venv cannot be made or the command outlives 10 minutes
   */
  public static Result runIn(Path directory, String logName, String program, String... arguments)
      throws IOException, InterruptedException {
    ensureVenv();
    List<String> command = new ArrayList<>();
    command.add(VENV.resolve("bin").resolve(program).toString());
    command.addAll(List.of(arguments));
    Path log = Path.of("target", logName).toAbsolutePath();
    // Standard output goes to a file too, not a pipe read to its end first, so that the timeout
    // holds even when the tool hangs with its output open.
    Path output = Path.of("target", logName + ".stdout").toAbsolutePath();
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectOutput(ProcessBuilder.Redirect.to(output.toFile()))
            .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT))
            .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish; see " + log);
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8), log);
  }

  private static synchronized void ensureVenv() throws IOException, InterruptedException {
    if (venvReady) {
      return;
    }
    Path log = Path.of("target", "venv-clients.log").toAbsolutePath();
    Process process =
        new ProcessBuilder("bash", "ops/venv.sh", REQUIREMENTS.toString(), VENV.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "ops/venv.sh could not make " + VENV + " from " + REQUIREMENTS + "; see " + log);
    }
    venvReady = true;
  }
}
