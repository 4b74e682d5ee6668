package io.engagementscorer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a manifest's precision and fidelity let serve, on copies of the tiny bundle. */
class BundlePrecisionTest {
  @TempDir Path work;

  private Path withPrecision(String precision, Double rankCorrelation) {
    Path bundle = BundleFixtures.copyOfTiny(work.resolve(precision + "-" + rankCorrelation));
    Path file = bundle.resolve(ModelBundle.MANIFEST);
    ObjectNode manifest = BundleFixtures.readJson(file);
    manifest.put("precision", precision);
    if (rankCorrelation != null) {
      ObjectNode fidelity = manifest.putObject("fidelity");
      fidelity.put("against", "fp32");
      fidelity.put("posts", 200);
      fidelity.put("seed", 15);
      fidelity.put("max_abs_difference", 0.002);
      fidelity.put("mean_abs_difference", 0.0005);
      fidelity.put("rank_correlation", rankCorrelation);
    }
    BundleFixtures.writeJson(file, manifest);
    return bundle;
  }

  @Test
  void shouldTakeABundleWithoutAPrecisionForFp32() {
    BundleManifest manifest = ModelBundle.open(BundleFixtures.TINY).manifest();
    assertThat(manifest.precisionOrDefault()).isEqualTo("fp32");
    assertThat(manifest.fidelity()).isNull();
    assertThatCode(
            () ->
                BundlePrecision.check(
                    manifest, BundleFixtures.TINY, Device.cpu(), 0.999, Optional.empty()))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseAnUnknownPrecisionAndAReducedOneWithoutMeasuredFidelity() {
    assertThatThrownBy(() -> ModelBundle.open(withPrecision("int4", 0.9999)))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("precision must be one of [bf16, fp16, fp32, int8], not int4");
    assertThatThrownBy(() -> ModelBundle.open(withPrecision("int8", null)))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("fidelity (a int8 bundle must declare it) is missing");
  }

  @Test
  void shouldServeAReducedBundleOnlyAtOrAboveTheConfiguredRankCorrelation() {
    Path bundle = withPrecision("int8", 0.9995);
    BundleManifest manifest = ModelBundle.open(bundle).manifest();

    assertThatCode(
            () -> BundlePrecision.check(manifest, bundle, Device.cpu(), 0.999, Optional.empty()))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> BundlePrecision.check(manifest, bundle, Device.cpu(), 0.9999, Optional.empty()))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("rank correlation of 0.999500")
        .hasMessageContaining("MIN_RANK_CORRELATION=0.9999");
  }

  @Test
  void shouldRefuseFp16OnTheCpuAndRunBf16ThereWithOrWithoutTheInstructions() {
    Path fp16 = withPrecision("fp16", 0.99999);
    assertThatThrownBy(
            () ->
                BundlePrecision.check(
                    ModelBundle.open(fp16).manifest(), fp16, Device.cpu(), 0.999, Optional.empty()))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("fp16, which is for GPUs");
    Path bf16 = withPrecision("bf16", 0.99999);
    BundleManifest manifest = ModelBundle.open(bf16).manifest();
    // Slower without AVX512-BF16 or AMX, but the same answers: a warning, not a refusal.
    for (String flags : new String[] {"fpu sse avx512f", "fpu avx512f avx512_bf16"}) {
      assertThatCode(
              () -> BundlePrecision.check(manifest, bf16, Device.cpu(), 0.999, Optional.of(flags)))
          .doesNotThrowAnyException();
    }
  }
}
