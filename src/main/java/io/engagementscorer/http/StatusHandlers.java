package io.engagementscorer.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.engagementscorer.model.BundleManifest;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.SelfCheck;
import io.engagementscorer.stream.StreamsStatus;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/health} and {@code GET /api/v1/model-info}. */
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
   */
  record Health(
      String status,
      boolean modelLoaded,
      String modelVersion,
      String device,
      String streamsState,
      int queueDepth) {}

  /**
   * Model information, from the bundle's manifest and the load.
   *
   * @param name model name
   * @param version model version
   * @param architecture architecture description from the manifest
   * @param baseModels base model ids
   * @param parameters parameter counts
   * @param lora LoRA configuration
   * @param source where the model came from
   * @param device cpu or gpu
   * @param loadedAt when the model finished loading
   * @param loadTimeMs how long loading took
   * @param imageSize input image side
   * @param maxTextTokens CLIP text length
   * @param sentimentLabels the sentiment classes, in logit order
   * @param createdBy exporter and library versions
   * @param selfCheck the start-up self-check
   */
  record ModelInfo(
      String name,
      String version,
      JsonNode architecture,
      Map<String, String> baseModels,
      BundleManifest.Parameters parameters,
      BundleManifest.Lora lora,
      Map<String, String> source,
      String device,
      String loadedAt,
      long loadTimeMs,
      int imageSize,
      int maxTextTokens,
      List<String> sentimentLabels,
      Map<String, String> createdBy,
      SelfCheck.Report selfCheck) {}

  private final EngagementScorer scorer;
  private final StreamsStatus streams;

  StatusHandlers(EngagementScorer scorer, StreamsStatus streams) {
    this.scorer = scorer;
    this.streams = streams;
  }

  void health(Context ctx) {
    boolean healthy = scorer.ready() && streams.healthy();
    EngagementModel model = scorer.model();
    ctx.status(healthy ? 200 : 503)
        .json(
            new Health(
                healthy ? "healthy" : "unhealthy",
                scorer.ready(),
                model.manifest().version(),
                model.deviceKind(),
                streams.state(),
                scorer.queueDepth()));
  }

  void modelInfo(Context ctx) {
    EngagementModel model = scorer.model();
    BundleManifest manifest = model.manifest();
    ctx.json(
        new ModelInfo(
            manifest.name(),
            manifest.version(),
            manifest.architecture(),
            manifest.baseModels(),
            manifest.parameters(),
            manifest.lora(),
            Map.of("type", "local", "path", model.bundle().directory().toString()),
            model.deviceKind(),
            model.loadedAt().toString(),
            model.loadTime().toMillis(),
            manifest.image().size(),
            manifest.text().maxTokens(),
            manifest.sentiment().labels(),
            manifest.createdBy(),
            scorer.selfCheck()));
  }
}
