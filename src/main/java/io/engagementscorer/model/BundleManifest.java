package io.engagementscorer.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The bundle's {@code manifest.json}, field for field (see {@code models/README.md}). Parsed by
 * {@link ModelBundle}, which also validates it.
 *
 * @param formatVersion layout version of the bundle, 1
 * @param name model name
 * @param version model version, reported with every score
 * @param createdAt when the exporter wrote the bundle
 * @param createdBy versions of the exporter and its libraries
 * @param baseModels base model ids (CLIP, sentiment)
 * @param architecture free-form architecture description, reported by model-info
 * @param image image preprocessing settings
 * @param text CLIP text settings
 * @param sentiment sentiment classifier settings and the feature definition
 * @param lora LoRA configuration the regressor was fine-tuned with
 * @param parameters parameter counts
 * @param files every file of the bundle but the manifest, with its size and sha256
 * @param reference where the reference cases are and the tolerance they hold to
 * @param regressorParts the regressor split into encoders and head, or null in a bundle that has
 *     only the monolithic regressor
 * @param precision the arithmetic its modules run in: {@code fp32} (also when absent), {@code
 *     bf16}, {@code int8} or {@code fp16}; inputs and outputs are fp32 and int64 whatever it is
 * @param fidelity for anything but fp32, how far its scores are from the fp32 bundle of the same
 *     weights; null for fp32
 */
public record BundleManifest(
    int formatVersion,
    String name,
    String version,
    String createdAt,
    Map<String, String> createdBy,
    Map<String, String> baseModels,
    JsonNode architecture,
    Image image,
    Text text,
    Sentiment sentiment,
    Lora lora,
    Parameters parameters,
    Map<String, FileEntry> files,
    Reference reference,
    RegressorParts regressorParts,
    String precision,
    Fidelity fidelity) {

  /** The precision of a bundle whose manifest names none. */
  public static final String FP32 = "fp32";

  /** The precisions a bundle may declare. */
  public static final java.util.Set<String> PRECISIONS =
      java.util.Set.of(FP32, "bf16", "int8", "fp16");

  /** The bundle's precision, {@code fp32} when the manifest names none. */
  public String precisionOrDefault() {
    return precision == null ? FP32 : precision;
  }

  /**
   * How a reduced-precision bundle's scores compare with the fp32 bundle of the same weights, on a
   * generated corpus.
   *
   * @param against the precision compared with, fp32
   * @param posts how many posts
   * @param seed the corpus's seed
   * @param maxAbsDifference the largest absolute difference of engagement scores
   * @param meanAbsDifference the mean absolute difference
   * @param rankCorrelation Spearman rank correlation of the two bundles' scores
   */
  public record Fidelity(
      String against,
      int posts,
      long seed,
      double maxAbsDifference,
      double meanAbsDifference,
      double rankCorrelation) {}

  /** Whether the bundle has the regressor in parts, so unchanged inputs need no new encoding. */
  public boolean hasRegressorParts() {
    return regressorParts != null;
  }

  /** Image preprocessing: CLIP's resize, centre crop, rescale and normalization. */
  public record Image(
      int size,
      int resizeShortestEdge,
      String resample,
      String crop,
      double rescaleFactor,
      double[] mean,
      double[] std,
      String missing) {}

  /** CLIP text input: tokenizer file, padded length and the special tokens around the text. */
  public record Text(String tokenizer, int maxTokens, SpecialTokens specialTokens) {}

  /** Ids added around a token sequence and the id that pads it. */
  public record SpecialTokens(long[] prefixIds, long[] suffixIds, long padId) {}

  /** Comment sentiment: classifier input settings, labels, and how features and score derive. */
  public record Sentiment(
      String tokenizer,
      int maxTokens,
      String padding,
      SpecialTokens specialTokens,
      List<String> labels,
      Features features,
      Score score) {}

  /** Sentiment features: their definition, length, and the value for a post with no comments. */
  public record Features(String definition, int size, float[] emptyFeatures) {}

  /** Sentiment score: its definition, the value of each label, and the no-comment value. */
  public record Score(String definition, double[] labelValues, double emptyScore) {}

  /** LoRA settings of the fine-tune. */
  public record Lora(
      boolean enabled,
      int rank,
      double alpha,
      double dropout,
      List<String> targetModules,
      boolean merged) {}

  /** Parameter counts, before merging (total, trainable) and of the exported models. */
  public record Parameters(long total, long trainable, long regressorAfterMerge, long sentiment) {}

  /** One bundle file's expected size and sha256. */
  public record FileEntry(String sha256, long size) {}

  /** Reference cases file and the absolute tolerance on same-tensor outputs. */
  public record Reference(String cases, double tolerance) {}

  /**
   * The regressor in three TorchScript modules whose composition is the monolithic regressor.
   *
   * @param imageEncoder file of {@code pixel_values [B,3,S,S] -> image features [B,P]}
   * @param textEncoder file of {@code input_ids, attention_mask [B,77] -> text features [B,P]}
   * @param head file of {@code image features, text features, sentiment features -> score [B]}
   * @param imageFeatureSize P of the image features
   * @param textFeatureSize P of the text features
   */
  public record RegressorParts(
      String imageEncoder,
      String textEncoder,
      String head,
      int imageFeatureSize,
      int textFeatureSize) {}
}
