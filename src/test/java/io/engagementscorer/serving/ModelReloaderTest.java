package io.engagementscorer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engagementscorer.bundles.BundleSource;
import io.engagementscorer.bundles.BundleSources;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.scoring.BatcherSettings;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.PostContent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloader over a local bundle folder, with the real tiny model. */
class ModelReloaderTest {
  private static final PostContent POST = new PostContent("hello #world", null, List.of("nice"));

  @TempDir Path work;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Path folder;
  private EngagementScorer scorer;
  private ModelReloader reloader;

  @BeforeEach
  void start() {
    folder = BundleFixtures.copyOfTiny(work.resolve("model"));
    BundleSource source = BundleSources.local(folder);
    ModelLoader loader = TestModelLoaders.cpu(registry);
    scorer =
        EngagementScorer.start(
            loader.load(source.initial()),
            new BatcherSettings(8, Duration.ofMillis(2), 64, Duration.ofSeconds(30), 1),
            64,
            registry);
    reloader = new ModelReloader(source, loader, scorer, Duration.ZERO, registry);
  }

  @AfterEach
  void stop() {
    reloader.close();
    scorer.close();
  }

  @Test
  void shouldLeaveAnUnchangedModelAlone() {
    ModelReloader.Result result = reloader.reloadNow();

    assertThat(result.outcome()).isEqualTo(ModelReloader.Outcome.UNCHANGED);
    assertThat(result.version()).isEqualTo("tiny-1");
    assertThat(reloader.status().succeeded()).isZero();
  }

  @Test
  void shouldServeANewVersionWrittenIntoTheFolder() throws Exception {
    setVersion("tiny-2");

    ModelReloader.Result result = reloader.reloadNow();

    assertThat(result.outcome()).isEqualTo(ModelReloader.Outcome.RELOADED);
    assertThat(result.detail()).contains("replacing tiny-1");
    assertThat(scorer.current().version()).isEqualTo("tiny-2");
    assertThat(scorer.score(POST).get(30, TimeUnit.SECONDS).score().modelVersion())
        .isEqualTo("tiny-2");
    assertThat(registry.get("engagement.model.reloads").tag("outcome", "success").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("engagement.model.info").tag("version", "tiny-2").gauge().value())
        .isEqualTo(1);
  }

  @Test
  void shouldRejectABrokenVersionOnceAndKeepServing() {
    setVersion("tiny-broken");
    Path cases = folder.resolve("reference/cases.json");
    ObjectNode tree = BundleFixtures.readJson(cases);
    ObjectNode expected = (ObjectNode) tree.get("cases").get(1).get("expected");
    expected.put("engagement_score", expected.get("engagement_score").asDouble() - 0.3);
    BundleFixtures.writeJson(cases, tree);
    BundleFixtures.rehash(folder, "reference/cases.json");

    ModelReloader.Result rejected = reloader.reloadNow();

    assertThat(rejected.outcome()).isEqualTo(ModelReloader.Outcome.REJECTED);
    assertThat(rejected.detail()).contains("tiny-broken").contains("self-check");
    assertThat(rejected.version()).isEqualTo("tiny-1");
    assertThat(scorer.current().version()).isEqualTo("tiny-1");
    assertThat(reloader.status().failed()).isEqualTo(1);
    assertThat(reloader.status().lastResult()).isEqualTo(rejected);
  }

  @Test
  void shouldRejectAFolderWhoseFilesNoLongerMatchTheManifest() throws Exception {
    java.nio.file.Files.write(folder.resolve("sentiment.pt"), new byte[] {1, 2});
    setVersion("tiny-2");

    ModelReloader.Result result = reloader.reloadNow();

    assertThat(result.outcome()).isEqualTo(ModelReloader.Outcome.REJECTED);
    assertThat(result.detail()).contains("sentiment.pt");
    assertThat(scorer.current().version()).isEqualTo("tiny-1");
  }

  private void setVersion(String version) {
    Path manifest = folder.resolve("manifest.json");
    ObjectNode tree = BundleFixtures.readJson(manifest);
    tree.put("version", version);
    BundleFixtures.writeJson(manifest, tree);
  }
}
