package io.engagementscorer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.engagementscorer.bundles.BundleSource;
import io.engagementscorer.bundles.BundleSources;
import io.engagementscorer.config.ConfigException;
import io.engagementscorer.config.ConfigurationHelp;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.ModelException;
import io.engagementscorer.s3.SharedS3Connection;
import io.engagementscorer.scoring.SelfCheck;
import io.engagementscorer.scoring.ServedModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the service from the environment and stops it cleanly on SIGTERM or Ctrl-C. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String CHECK_MODEL = "--check-model";
  private static final List<String> HELP = List.of("--help", "-h");

  private Main() {}

  /**
   * Entry point; exits with status 2 on invalid configuration, 3 on an unusable model. With {@code
   * --check-model} it only fetches, loads and self-checks the configured model, prints the outcome
   * and exits: 0 when the model passed, 1 when it failed its self-check. With {@code --help} it
   * prints the usage and the configuration variables and exits with 0.
   */
  public static void main(String[] args) {
    if (List.of(args).stream().anyMatch(HELP::contains)) {
      printHelp();
      return;
    }
    boolean checkOnly = List.of(args).contains(CHECK_MODEL);
    for (String arg : args) {
      if (!arg.equals(CHECK_MODEL)) {
        LOG.error("Unknown argument {}: the service is configured by environment variables", arg);
        System.exit(2);
        return;
      }
    }
    // DJL must not try to download anything: natives come from the Maven jars.
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    ServiceConfig config;
    try {
      config = ServiceConfig.fromProcessEnvironment();
    } catch (ConfigException e) {
      LOG.error("Configuration error: {}", e.getMessage());
      System.exit(2);
      return;
    }
    applyLogLevel(config.logLevel());
    if (config.inferenceThreads() > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(config.inferenceThreads()));
    }
    if (checkOnly) {
      System.exit(checkModel(config));
      return;
    }
    Application application;
    try {
      application = Application.start(config);
    } catch (ModelException e) {
      LOG.error("Cannot start: {}", e.getMessage(), e);
      System.exit(3);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Shutting down");
                  application.close();
                },
                "shutdown"));
    String base = "http://localhost:" + application.port();
    LOG.info(
        "Engagement scorer ready on {} - predict: POST {}/api/v1/predict, docs: {}/docs,"
            + " metrics: {}/metrics",
        base,
        base,
        base,
        base);
  }

  private static void printHelp() {
    List<String> lines = new ArrayList<>();
    lines.add("Usage: java -jar engagement-scorer.jar [--check-model | --help]");
    lines.add("");
    lines.add("Runs the engagement scorer: the HTTP API, and the Kafka stream when");
    lines.add(
        "KAFKA_BOOTSTRAP_SERVERS is set. Configured by environment variables, or a .env file");
    lines.add("in the working directory (the environment wins).");
    lines.add("");
    lines.add("  --check-model  load and self-check the configured model, then exit (0: passed)");
    lines.add("  --help, -h     print this and exit");
    lines.add("");
    lines.add("Environment variables [default]:");
    lines.addAll(ConfigurationHelp.variables());
    System.out.println(String.join(System.lineSeparator(), lines));
  }

  private static int checkModel(ServiceConfig config) {
    try (SharedS3Connection s3 = SharedS3Connection.of(config.s3());
        BundleSource source = BundleSources.open(config.modelSource(), s3)) {
      ServedModel model =
          Application.modelLoader(config, new SimpleMeterRegistry()).load(source.initial());
      try {
        SelfCheck.Report report = model.selfCheck();
        LOG.info(
            "Model {} from {}: self-check {} ({} reference cases)",
            model.version(),
            model.origin().location(),
            report.passed() ? "passed" : "FAILED",
            report.cases().size());
        for (SelfCheck.CaseResult result : report.cases()) {
          if (!result.passed()) {
            LOG.error("  {}: {}", result.name(), String.join("; ", result.problems()));
          }
        }
        return report.passed() ? 0 : 1;
      } finally {
        model.retire();
      }
    } catch (ModelException e) {
      LOG.error("Cannot load the model: {}", e.getMessage());
      return 3;
    }
  }

  private static void applyLogLevel(String level) {
    Level logback =
        switch (level.toLowerCase(Locale.ROOT)) {
          case "warning", "warn" -> Level.WARN;
          case "critical" -> Level.ERROR;
          default -> Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO);
        };
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(logback);
  }
}
