package io.engagementscorer.bundles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.PostContent;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.serving.ModelLoader;
import io.engagementscorer.serving.TestModelLoaders;
import io.engagementscorer.testing.PythonExporter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training side's output is a bundle this service serves: {@code ops/train-tiny.sh} makes a
 * synthetic dataset, fine-tunes the tiny configuration with LoRA and exports the bundle; here it
 * loads, passes the self-check of its reference cases, and scores.
 */
class TrainedBundleIT {
  @TempDir Path work;

  @Test
  void shouldServeTheBundleThatTrainingExports() throws Exception {
    Path out = work.resolve("trained");
    PythonExporter.script("train-tiny.sh", out.toString());
    Path bundle = out.resolve("bundle");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ModelLoader loader = TestModelLoaders.cpu(registry);

    ServedModel served = loader.load(new LocalBundleSource(bundle).initial());

    assertThat(served.ready()).as("self-check: %s", served.selfCheck()).isTrue();
    JsonNode manifest = BundleFixtures.readJson(bundle.resolve("manifest.json"));
    assertThat(manifest.at("/lora/merged").asBoolean()).isTrue();
    assertThat(manifest.at("/parameters/trainable").asLong())
        .isPositive()
        .isLessThan(manifest.at("/parameters/total").asLong());
    assertThat(manifest.at("/training/metrics").isObject()).as(manifest.toString()).isTrue();
    try (EngagementScorer scorer =
        EngagementScorer.start(
            served,
            new BatcherSettings(8, Duration.ofMillis(2), 64, Duration.ofSeconds(30), 1),
            64,
            registry)) {
      double score =
          scorer
              .score(new PostContent("a bright sunny day", null, List.of("great")))
              .get(30, TimeUnit.SECONDS)
              .score()
              .engagementScore();
      assertThat(score).isBetween(0.0, 1.0);
    }
  }
}
