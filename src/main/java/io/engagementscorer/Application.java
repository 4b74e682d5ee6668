package io.engagementscorer;

import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.http.ApiServer;
import io.engagementscorer.http.StreamsStatus;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.PostLimits;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: a verified model, the scorer over it, and the HTTP server, started in that
 * order and closed in reverse. {@link Main} runs one; tests start one in-process on port 0.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final EngagementModel model;
  private final EngagementScorer scorer;
  private final ApiServer server;
  private final PrometheusMeterRegistry registry;

  private Application(
      EngagementModel model,
      EngagementScorer scorer,
      ApiServer server,
      PrometheusMeterRegistry registry) {
    this.model = model;
    this.scorer = scorer;
    this.server = server;
    this.registry = registry;
  }

  /** Loads and checks the model, starts the scorer and binds the HTTP server. */
  public static Application start(ServiceConfig config) {
    PrometheusMeterRegistry registry = newRegistry();
    ModelBundle bundle = ModelBundle.open(config.modelDir());
    bundle.requireLora(config.useLora(), config.loraRank());
    EngagementModel model =
        EngagementModel.load(bundle, EngagementModel.selectDevice(config.forceCpu()));
    TimeGauge.builder(
            "engagement.model.load.time",
            model,
            TimeUnit.MILLISECONDS,
            loaded -> loaded.loadTime().toMillis())
        .description("How long loading the served model took")
        .tag("version", model.manifest().version())
        .register(registry);
    EngagementScorer scorer = null;
    try {
      scorer =
          EngagementScorer.start(
              model,
              postLimits(config),
              batcherSettings(config),
              config.sentimentBatchSize(),
              config.selfCheckRawTolerance(),
              registry);
      ApiServer server =
          new ApiServer(
                  scorer,
                  StreamsStatus.DISABLED,
                  registry,
                  new ApiServer.Limits(
                      config.maxRequestBytes(), config.maxImageBytes(), config.retryAfterSeconds()))
              .start(config.host(), config.port());
      if (!scorer.ready()) {
        LOG.error(
            "Model {} failed its self-check: serving 503 until it is replaced",
            model.manifest().version());
      }
      return new Application(model, scorer, server, registry);
    } catch (RuntimeException e) {
      if (scorer != null) {
        scorer.close();
      }
      model.close();
      throw e;
    }
  }

  static PostLimits postLimits(ServiceConfig config) {
    return new PostLimits(
        config.maxTextLength(),
        config.maxComments(),
        config.maxCommentLength(),
        config.maxImageBytes(),
        config.maxImagePixels());
  }

  static BatcherSettings batcherSettings(ServiceConfig config) {
    return new BatcherSettings(
        config.batchMaxSize(),
        config.batchMaxDelay(),
        config.batchQueueCapacity(),
        config.scoringTimeout(),
        config.inferenceWorkers());
  }

  private static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** The HTTP port the server is bound to. */
  public int port() {
    return server.port();
  }

  /** The scorer, for callers in the same process. */
  public EngagementScorer scorer() {
    return scorer;
  }

  /** The metrics registry. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Stops serving, finishes queued work, and releases the model. */
  @Override
  public void close() {
    server.close();
    scorer.close();
    model.close();
  }
}
