package io.engagementscorer.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.engagementscorer.model.BundleManifest;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelOrigin;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.SelfCheck;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.serving.ModelReloader;
import io.engagementscorer.serving.ModelRollout;
import io.engagementscorer.stream.StreamsStatus;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/health}, its liveness and readiness probes {@code /live} and {@code /ready},
 * and {@code GET /api/v1/model-info}.
 */
final class StatusHandlers {
  /**
   * Health: 200 when healthy, 503 otherwise, with the same body.
   *
   * @param status healthy or unhealthy
   * @param modelLoaded whether a model is loaded and passed its self-check
   * @param modelVersion the served model's version
   * @param device cpu or gpu
   * @param streamsState the Kafka Streams state, or DISABLED
   * @param queueDepth posts waiting for inference
   * @param ready whether the readiness probe answers 200
   * @param reasons why it does not; empty when ready
   */
  record Health(
      String status,
      boolean modelLoaded,
      String modelVersion,
      String device,
      String streamsState,
      int queueDepth,
      boolean ready,
      List<String> reasons) {}

  /**
   * The liveness probe's answer: 200 when alive, 503 otherwise.
   *
   * @param alive whether the process works or can recover by itself
   * @param reasons what is broken beyond recovery; empty when alive
   */
  record Liveness(boolean alive, List<String> reasons) {}

  /**
   * The readiness probe's answer: 200 when ready, 503 otherwise.
   *
   * @param ready whether this instance can take traffic now
   * @param reasons why not; empty when ready
   */
  record Readiness(boolean ready, List<String> reasons) {}

  /**
   * Model information, from the bundle's manifest and the load.
   *
   * @param name model name
   * @param version model version
   * @param architecture architecture description from the manifest
   * @param baseModels base model ids
   * @param parameters parameter counts
   * @param lora LoRA configuration
   * @param source where the model came from: type, folder, S3 bucket, key and ETag, keys passed
   *     over and why
   * @param device cpu or gpu
   * @param loadedAt when the model finished loading
   * @param loadTimeMs how long loading took
   * @param imageSize input image side
   * @param maxTextTokens CLIP text length
   * @param sentimentLabels the sentiment classes, in logit order
   * @param createdBy exporter and library versions
   * @param selfCheck the self-check run before the model was served
   * @param reloads reload activity: interval, successes, failures, the last attempt
   * @param precision the bundle's precision: fp32, bf16, int8 or fp16
   * @param fidelity for a reduced precision, how its scores compare with the fp32 bundle's
   * @param candidate the candidate model scoring in the shadow, and how it compares
   * @param rescoring how far scoring the stored posts again for the served version has come
   */
  record ModelInfo(
      String name,
      String version,
      JsonNode architecture,
      Map<String, String> baseModels,
      BundleManifest.Parameters parameters,
      BundleManifest.Lora lora,
      ModelOrigin source,
      String device,
      String loadedAt,
      long loadTimeMs,
      int imageSize,
      int maxTextTokens,
      List<String> sentimentLabels,
      Map<String, String> createdBy,
      SelfCheck.Report selfCheck,
      ModelReloader.Status reloads,
      String precision,
      BundleManifest.Fidelity fidelity,
      ModelRollout.CandidateStatus candidate,
      RescoreProgress.Snapshot rescoring) {}

  private final EngagementScorer scorer;
  private final ModelRollout rollout;
  private final StreamsStatus streams;
  private final HealthChecks checks;

  StatusHandlers(
      EngagementScorer scorer, ModelRollout rollout, StreamsStatus streams, HealthChecks checks) {
    this.scorer = scorer;
    this.rollout = rollout;
    this.streams = streams;
    this.checks = checks;
  }

  void health(Context ctx) {
    ServedModel served = scorer.current();
    boolean healthy = served.ready() && streams.healthy();
    List<String> notReady = checks.notReadyReasons();
    ctx.status(healthy ? 200 : 503)
        .json(
            new Health(
                healthy ? "healthy" : "unhealthy",
                served.ready(),
                served.version(),
                served.model().deviceKind(),
                streams.state(),
                scorer.queueDepth(),
                notReady.isEmpty(),
                notReady));
  }

  void live(Context ctx) {
    List<String> reasons = checks.notAliveReasons();
    ctx.status(reasons.isEmpty() ? 200 : 503).json(new Liveness(reasons.isEmpty(), reasons));
  }

  void ready(Context ctx) {
    List<String> reasons = checks.notReadyReasons();
    ctx.status(reasons.isEmpty() ? 200 : 503).json(new Readiness(reasons.isEmpty(), reasons));
  }

  void modelInfo(Context ctx) {
    ServedModel served = scorer.current();
    EngagementModel model = served.model();
    BundleManifest manifest = model.manifest();
    ctx.json(
        new ModelInfo(
            manifest.name(),
            manifest.version(),
            manifest.architecture(),
            manifest.baseModels(),
            manifest.parameters(),
            manifest.lora(),
            served.origin(),
            model.deviceKind(),
            model.loadedAt().toString(),
            model.loadTime().toMillis(),
            manifest.image().size(),
            manifest.text().maxTokens(),
            manifest.sentiment().labels(),
            manifest.createdBy(),
            served.selfCheck(),
            rollout.servedReloader().status(),
            manifest.precisionOrDefault(),
            manifest.fidelity(),
            rollout.candidateStatus(),
            rollout.rescoreStatus()));
  }
}
