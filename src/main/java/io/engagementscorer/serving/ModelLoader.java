package io.engagementscorer.serving;

import ai.djl.Device;
import io.engagementscorer.bundles.FetchedBundle;
import io.engagementscorer.model.BundlePrecision;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.scoring.FeatureCache;
import io.engagementscorer.scoring.PostLimits;
import io.engagementscorer.scoring.ServedModel;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Turns a fetched bundle into a model ready to serve: the LoRA settings the service expects, both
 * TorchScript models loaded on the device, and the self-check of reference cases run.
 *
 * @param useLora whether the bundle must carry a LoRA fine-tune ({@code USE_LORA})
 * @param loraRank the rank it must have ({@code LORA_RANK})
 * @param device where inference runs
 * @param limits the limits prepared posts are held to
 * @param sentimentBatchSize most comments per sentiment forward pass
 * @param rawTolerance the self-check's tolerance from raw inputs
 * @param features the feature cache every loaded model reuses features from
 * @param minRankCorrelation the least rank correlation with fp32 a reduced-precision bundle must
 *     declare ({@code MIN_RANK_CORRELATION})
 * @param registry where inference metrics go
 */
public record ModelLoader(
    boolean useLora,
    int loraRank,
    Device device,
    PostLimits limits,
    int sentimentBatchSize,
    double rawTolerance,
    FeatureCache features,
    double minRankCorrelation,
    MeterRegistry registry) {

  /**
   * Loads and self-checks {@code fetched}. The result may have failed its self-check: see {@link
   * ServedModel#ready()}.
   *
   * @throws io.engagementscorer.model.ModelException when the bundle does not suit this service
   *     (LoRA settings, a precision whose fidelity is under the floor or that this device cannot
   *     run) or does not load
   */
  public ServedModel load(FetchedBundle fetched) {
    ModelBundle bundle = fetched.bundle();
    bundle.requireLora(useLora, loraRank);
    BundlePrecision.check(
        bundle.manifest(),
        bundle.directory(),
        device,
        minRankCorrelation,
        BundlePrecision.cpuFlags());
    EngagementModel model = EngagementModel.load(bundle, device);
    try {
      return ServedModel.check(
          model, fetched.origin(), limits, sentimentBatchSize, rawTolerance, features, registry);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
