package io.engagementscorer.model;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a bundle's precision may serve here: its declared fidelity must reach the configured
 * floor ({@code MIN_RANK_CORRELATION}), fp16 needs a GPU, and bf16 on a CPU without AVX512-BF16 or
 * AMX runs (it gives the same answers) but slowly, which is logged as a warning.
 */
public final class BundlePrecision {
  private static final Logger LOG = LoggerFactory.getLogger(BundlePrecision.class);
  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

  private BundlePrecision() {}

  /**
   * Checks {@code manifest} for serving on {@code device}.
   *
   * @param cpuFlags the CPU's feature flags (as {@code /proc/cpuinfo} lists them), or empty when
   *     unknown
   * @throws ModelException when its fidelity is under {@code minRankCorrelation}, or it is fp16 on
   *     a CPU
   */
  public static void check(
      BundleManifest manifest,
      Path source,
      Device device,
      double minRankCorrelation,
      Optional<String> cpuFlags) {
    String precision = manifest.precisionOrDefault();
    if (BundleManifest.FP32.equals(precision)) {
      return;
    }
    BundleManifest.Fidelity fidelity = manifest.fidelity();
    if (fidelity.rankCorrelation() < minRankCorrelation) {
      throw new ModelException(
          String.format(
              Locale.ROOT,
              "Bundle %s (%s) declares a rank correlation of %.6f with its fp32 bundle, under"
                  + " MIN_RANK_CORRELATION=%s: not served. Export it in another precision, or"
                  + " lower MIN_RANK_CORRELATION if that fidelity is enough",
              source,
              precision,
              fidelity.rankCorrelation(),
              minRankCorrelation));
    }
    boolean gpu = device.isGpu();
    if ("fp16".equals(precision) && !gpu) {
      throw new ModelException(
          "Bundle "
              + source
              + " is fp16, which is for GPUs, and this service runs on the CPU: export it in bf16"
              + " or int8 for a CPU");
    }
    if ("bf16".equals(precision) && !gpu) {
      String flags = cpuFlags.orElse("");
      if (!hasFlag(flags, "avx512_bf16") && !hasFlag(flags, "amx_bf16")) {
        LOG.warn(
            "Bundle {} is bf16, but this CPU {}: it gives the same answers, slower than fp32."
                + " Serve an fp32 or int8 bundle here",
            source,
            cpuFlags.isEmpty()
                ? "could not be checked for AVX512-BF16 or AMX"
                : "has neither AVX512-BF16 nor AMX");
      }
    }
    LOG.info(
        "Bundle {} is {}: rank correlation {} with fp32, largest score difference {} over {} posts",
        source,
        precision,
        fidelity.rankCorrelation(),
        fidelity.maxAbsDifference(),
        fidelity.posts());
  }

  /** The CPU's flags from {@code /proc/cpuinfo}, or empty where there is none. */
  public static Optional<String> cpuFlags() {
    try {
      return Files.readAllLines(CPU_INFO).stream()
          .filter(line -> line.startsWith("flags"))
          .findFirst()
          .map(line -> line.substring(line.indexOf(':') + 1));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean hasFlag(String flags, String flag) {
    return java.util.Arrays.asList(flags.trim().split("\\s+", -1)).contains(flag);
  }
}
