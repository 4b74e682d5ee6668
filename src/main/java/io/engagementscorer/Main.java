package io.engagementscorer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.engagementscorer.config.ConfigException;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.ModelException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the service from the environment and stops it cleanly on SIGTERM or Ctrl-C. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** Entry point; exits with status 2 on invalid configuration, 3 on an unusable model. */
  public static void main(String[] args) {
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
