package io.engagementscorer.serving;

import ai.djl.Device;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.scoring.FeatureCache;
import io.engagementscorer.scoring.ServedModels;
import io.micrometer.core.instrument.MeterRegistry;

/** The model loader the tests use: LoRA rank 8, the CPU, the tests' limits and feature cache. */
public final class TestModelLoaders {
  private TestModelLoaders() {}

  /** A loader whose models report to {@code registry}. */
  public static ModelLoader cpu(MeterRegistry registry) {
    return cpu(ServiceConfig.DEFAULT_MIN_RANK_CORRELATION, registry);
  }

  /** The same, serving reduced-precision bundles down to {@code minRankCorrelation}. */
  public static ModelLoader cpu(double minRankCorrelation, MeterRegistry registry) {
    return new ModelLoader(
        true,
        8,
        Device.cpu(),
        ServedModels.LIMITS,
        64,
        1e-3,
        FeatureCache.create(ServedModels.CACHE_BYTES, registry),
        minRankCorrelation,
        registry);
  }
}
