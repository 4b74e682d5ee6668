package io.engagementscorer;

import io.engagementscorer.bundles.BundleSource;
import io.engagementscorer.bundles.BundleSources;
import io.engagementscorer.config.RolloutSettings;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.config.StreamsSettings;
import io.engagementscorer.fetch.ImageFetcher;
import io.engagementscorer.http.ApiServer;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelException;
import io.engagementscorer.rollout.CandidateComparison;
import io.engagementscorer.rollout.CandidateSampler;
import io.engagementscorer.rollout.PostRate;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.s3.SharedS3Connection;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.FeatureCache;
import io.engagementscorer.scoring.PostLimits;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.serving.ModelLoader;
import io.engagementscorer.serving.ModelReloader;
import io.engagementscorer.serving.ModelRollout;
import io.engagementscorer.stream.LatestScoresQuery;
import io.engagementscorer.stream.ScoringStream;
import io.engagementscorer.stream.ScoringTopology;
import io.engagementscorer.stream.StreamRollout;
import io.engagementscorer.stream.StreamScoringSettings;
import io.engagementscorer.stream.StreamSerdesFactory;
import io.engagementscorer.stream.StreamTopics;
import io.engagementscorer.stream.StreamsStatus;
import io.engagementscorer.stream.TopicProvisioner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: a verified model, the scorer over it, and the HTTP server, started in that
 * order and closed in reverse. It owns the one S3 connection that model bundles and image
 * references share, opened on first use and closed last. {@link Main} runs one; tests start one
 * in-process on port 0.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);
  // The stream keeps up to two batches submitted: one running, one queued behind it.
  private static final int MAX_IN_FLIGHT_BATCHES = 2;

  private final EngagementScorer scorer;
  private final ModelRollout rollout;
  private final StreamSide stream;
  private final ApiServer server;
  private final PrometheusMeterRegistry registry;
  private final SharedS3Connection s3;

  private Application(
      EngagementScorer scorer,
      ModelRollout rollout,
      StreamSide stream,
      ApiServer server,
      PrometheusMeterRegistry registry,
      SharedS3Connection s3) {
    this.scorer = scorer;
    this.rollout = rollout;
    this.stream = stream;
    this.server = server;
    this.registry = registry;
    this.s3 = s3;
  }

  /** The stream and what it owns, absent in an HTTP-only instance. */
  private record StreamSide(ScoringStream stream, ImageFetcher images, ExecutorService preparation)
      implements AutoCloseable {
    @Override
    public void close() {
      stream.close();
      preparation.shutdownNow();
      images.close();
    }
  }

  /**
   * Fetches, loads and checks the model, starts the scorer and its reloader, the stream when Kafka
   * is configured, and binds the HTTP server.
   *
   * @throws io.engagementscorer.model.ModelException when no usable model can be obtained
   */
  public static Application start(ServiceConfig config) {
    PrometheusMeterRegistry registry = newRegistry();
    ModelLoader loader = modelLoader(config, registry);
    SharedS3Connection s3 = SharedS3Connection.of(config.s3());
    BundleSource source = BundleSources.open(config.modelSource(), s3);
    EngagementScorer scorer = null;
    ModelReloader reloader = null;
    ModelReloader candidateReloader = null;
    BundleSource candidateSource = null;
    StreamSide stream = null;
    try {
      LOG.info("Loading the model from {}", source.describe());
      ServedModel initial = loader.load(source.initial());
      if (!initial.ready()) {
        LOG.error(
            "Model {} failed its self-check: serving 503 until it is replaced", initial.version());
      }
      scorer =
          EngagementScorer.start(
              initial, batcherSettings(config), config.sentimentBatchSize(), registry);
      reloader =
          new ModelReloader(source, loader, scorer, config.modelSource().reloadInterval(), registry)
              .start();
      RolloutSettings rolloutSettings = config.rollout();
      if (rolloutSettings.candidateConfigured()) {
        candidateSource = BundleSources.open(rolloutSettings.candidateSource(), s3);
        loadCandidate(candidateSource, loader, scorer);
        candidateReloader =
            new ModelReloader(
                    candidateSource,
                    loader,
                    ModelReloader.Slot.candidate(scorer),
                    rolloutSettings.candidateSource().reloadInterval(),
                    registry)
                .start();
        candidateSource = null;
      }
      ModelRollout rollout =
          new ModelRollout(
              scorer,
              reloader,
              candidateReloader,
              rolloutSettings.sampleRate(),
              new CandidateComparison(rolloutSettings.comparisonWindow(), registry),
              new RescoreProgress(rolloutSettings.rescoreOnModelChange(), registry),
              registry);
      reloader = null;
      candidateReloader = null;
      try {
        stream =
            config.streams() == null ? null : startStream(config, scorer, rollout, s3, registry);
        ApiServer server =
            new ApiServer(
                    scorer,
                    rollout,
                    config.modelSource().adminToken(),
                    stream == null ? StreamsStatus.DISABLED : stream.stream(),
                    stream == null
                        ? null
                        : new LatestScoresQuery(
                            stream.stream().streams(), config.streams().applicationServer()),
                    registry,
                    new ApiServer.Limits(
                        config.maxRequestBytes(),
                        config.maxImageBytes(),
                        config.retryAfterSeconds()))
                .start(config.host(), config.port());
        return new Application(scorer, rollout, stream, server, registry, s3);
      } catch (RuntimeException e) {
        rollout.close();
        throw e;
      }
    } catch (RuntimeException e) {
      if (stream != null) {
        stream.close();
      }
      if (candidateReloader != null) {
        candidateReloader.close();
      } else if (candidateSource != null) {
        candidateSource.close();
      }
      if (reloader != null) {
        reloader.close();
      } else if (scorer == null) {
        source.close();
      }
      if (scorer != null) {
        scorer.close();
      }
      s3.close();
      throw e;
    }
  }

  /**
   * Loads and checks the candidate. A candidate that cannot be had does not stop the service: it
   * starts without one, and the candidate's reloader tries again when its source changes.
   */
  private static void loadCandidate(
      BundleSource candidateSource, ModelLoader loader, EngagementScorer scorer) {
    LOG.info("Loading the candidate model from {}", candidateSource.describe());
    try {
      ServedModel candidate = loader.load(candidateSource.initial());
      if (!candidate.ready()) {
        LOG.error(
            "Candidate model {} failed its self-check; starting without a candidate",
            candidate.version());
        candidate.retire();
        return;
      }
      scorer.replaceCandidate(candidate);
    } catch (ModelException e) {
      LOG.error(
          "No candidate model from {}: {}; starting without one",
          candidateSource.describe(),
          e.getMessage());
    }
  }

  /** How this configuration turns bundles into served models. */
  static ModelLoader modelLoader(ServiceConfig config, MeterRegistry registry) {
    return new ModelLoader(
        config.useLora(),
        config.loraRank(),
        EngagementModel.selectDevice(config.forceCpu()),
        postLimits(config),
        config.sentimentBatchSize(),
        config.selfCheckRawTolerance(),
        FeatureCache.create(config.featureCacheBytes(), registry),
        config.minRankCorrelation(),
        registry);
  }

  private static StreamSide startStream(
      ServiceConfig config,
      EngagementScorer scorer,
      ModelRollout rollout,
      SharedS3Connection s3,
      PrometheusMeterRegistry registry) {
    StreamsSettings settings = config.streams();
    RolloutSettings rolloutSettings = config.rollout();
    String candidateTopic =
        rolloutSettings.candidateConfigured() ? rolloutSettings.candidateTopic() : null;
    ImageFetcher images = new ImageFetcher(settings.imageFetch(), s3);
    ExecutorService preparation =
        Executors.newFixedThreadPool(
            settings.preparationPoolSize(Runtime.getRuntime().availableProcessors()),
            runnable -> {
              Thread thread = new Thread(runnable, "post-preparation");
              thread.setDaemon(true);
              return thread;
            });
    try {
      TopicProvisioner.ensureTopics(settings, candidateTopic);
      Topology topology =
          ScoringTopology.build(
              new StreamTopics(
                  settings.inputTopic(),
                  settings.outputTopic(),
                  settings.deadLetterTopic(),
                  candidateTopic),
              new StreamScoringSettings(
                  config.batchMaxSize(),
                  config.batchMaxDelay(),
                  MAX_IN_FLIGHT_BATCHES * config.batchMaxSize(),
                  config.maxComments()),
              StreamSerdesFactory.create(settings),
              scorer,
              images::fetch,
              preparation,
              new StreamRollout(
                  candidateTopic == null
                      ? null
                      : new CandidateSampler(rolloutSettings.sampleRate()),
                  rolloutSettings.candidateMaxWait(),
                  rollout.comparison(),
                  rollout.rescore(),
                  new PostRate(rolloutSettings.rescoreMaxPostsPerSecond())),
              registry);
      return new StreamSide(ScoringStream.start(settings, topology, registry), images, preparation);
    } catch (RuntimeException e) {
      preparation.shutdownNow();
      images.close();
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
        config.inferenceWorkers(),
        config.streamQueueCapacity(),
        config.backgroundQueueCapacity());
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

  /** Stops serving, finishes queued work, releases the model, and closes the S3 connection. */
  @Override
  public void close() {
    server.close();
    if (stream != null) {
      stream.close();
    }
    rollout.close();
    scorer.close();
    s3.close();
  }
}
