package io.engagementscorer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  @TempDir Path temp;

  @Test
  void shouldOpenAndVerifyTheCommittedTinyBundle() {
    ModelBundle bundle = ModelBundle.open(BundleFixtures.TINY);

    BundleManifest manifest = bundle.manifest();
    assertThat(manifest.version()).isNotBlank();
    assertThat(manifest.lora().enabled()).isTrue();
    assertThat(manifest.lora().rank()).isEqualTo(8);
    assertThat(manifest.lora().alpha()).isEqualTo(16.0);
    assertThat(manifest.lora().merged()).isTrue();
    assertThat(manifest.text().maxTokens()).isEqualTo(77);
    assertThat(manifest.image().size()).isEqualTo(224);
    assertThat(manifest.sentiment().labels())
        .containsExactly("very negative", "negative", "neutral", "positive", "very positive");
    assertThat(manifest.files()).containsKeys("regressor.pt", "sentiment.pt");
  }

  @Test
  void shouldRefuseAFileWhoseContentNoLongerMatchesItsSha256() throws IOException {
    Path bundle = BundleFixtures.copyOfTiny(temp.resolve("bundle"));
    Path tokenizer = bundle.resolve("sentiment_tokenizer.json");
    byte[] bytes = Files.readAllBytes(tokenizer);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(tokenizer, bytes);

    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("sentiment_tokenizer.json")
        .hasMessageContaining("sha256");
  }

  @Test
  void shouldRefuseATruncatedFile() throws IOException {
    Path bundle = BundleFixtures.copyOfTiny(temp.resolve("bundle"));
    Path regressor = bundle.resolve("regressor.pt");
    Files.write(regressor, Arrays.copyOf(Files.readAllBytes(regressor), 10));

    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("regressor.pt")
        .hasMessageContaining("bytes");
  }

  @Test
  void shouldRefuseAMissingFile() throws IOException {
    Path bundle = BundleFixtures.copyOfTiny(temp.resolve("bundle"));
    Files.delete(bundle.resolve("sentiment.pt"));

    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("sentiment.pt")
        .hasMessageContaining("missing");
  }

  @Test
  void shouldSayWhichManifestFieldIsMissing() {
    Path bundle = BundleFixtures.copyOfTiny(temp.resolve("bundle"));
    ObjectNode manifest = BundleFixtures.readJson(bundle.resolve(ModelBundle.MANIFEST));
    manifest.remove("lora");
    BundleFixtures.writeJson(bundle.resolve(ModelBundle.MANIFEST), manifest);

    assertThatThrownBy(() -> ModelBundle.open(bundle))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("lora is missing");
  }

  @Test
  void shouldPointAtMODEL_DIRWhenThereIsNoBundle() {
    assertThatThrownBy(() -> ModelBundle.open(temp))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("manifest.json is missing")
        .hasMessageContaining("MODEL_DIR");
  }

  @Test
  void shouldAcceptTheDefaultLoraSettings() {
    ModelBundle.open(BundleFixtures.TINY).requireLora(true, 8);
  }

  @Test
  void shouldRefuseALoraRankThatDiffersFromTheBundlesSayingBoth() {
    ModelBundle bundle = ModelBundle.open(BundleFixtures.TINY);

    assertThatThrownBy(() -> bundle.requireLora(true, 16))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("LORA_RANK=16")
        .hasMessageContaining("rank 8");
  }

  @Test
  void shouldRefuseUseLoraFalseForALoraBundleSayingBoth() {
    ModelBundle bundle = ModelBundle.open(BundleFixtures.TINY);

    assertThatThrownBy(() -> bundle.requireLora(false, 8))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("USE_LORA=false")
        .hasMessageContaining("lora.enabled=true");
  }
}
