package io.engagementscorer.scoring;

import ai.djl.Device;
import io.engagementscorer.model.EngagementModel;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ModelOrigin;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** Served models for tests: a bundle folder loaded on the CPU and self-checked. */
public final class ServedModels {
  /** The limits the tests' scorers use. */
  public static final PostLimits LIMITS = new PostLimits(10_000, 100, 5_000, 1 << 20, 40_000_000);

  private ServedModels() {}

  /** The feature cache bound the tests' scorers use. */
  public static final long CACHE_BYTES = 64L << 20;

  /** The bundle in {@code directory}, loaded and self-checked, with a feature cache of its own. */
  public static ServedModel load(Path directory, MeterRegistry registry) {
    return load(directory, FeatureCache.create(CACHE_BYTES, registry), registry);
  }

  /**
   * The bundle in {@code directory}, loaded and self-checked, reusing features from {@code cache}.
   */
  public static ServedModel load(Path directory, FeatureCache cache, MeterRegistry registry) {
    ModelBundle bundle = ModelBundle.open(directory);
    return ServedModel.check(
        EngagementModel.load(bundle, Device.cpu()),
        ModelOrigin.local(bundle.directory().toString(), bundle.manifestSha256()),
        LIMITS,
        64,
        1e-3,
        cache,
        registry);
  }
}
