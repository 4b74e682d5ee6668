package io.engagementscorer.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/** Checks a parsed manifest for the fields and values this service knows how to use. */
final class ManifestValidator {
  static final int FORMAT_VERSION = 1;
  private static final Set<String> PADDINGS = Set.of("longest", "max_length");

  private final Path source;

  private ManifestValidator(Path source) {
    this.source = source;
  }

  static void validate(BundleManifest manifest, Path source) {
    new ManifestValidator(source).check(manifest);
  }

  private void check(BundleManifest m) {
    require(m.formatVersion() == FORMAT_VERSION, "format_version", "must be " + FORMAT_VERSION);
    present(m.name(), "name");
    present(m.version(), "version");
    present(m.image(), "image");
    present(m.text(), "text");
    present(m.sentiment(), "sentiment");
    present(m.lora(), "lora");
    present(m.parameters(), "parameters");
    present(m.files(), "files");
    present(m.reference(), "reference");
    checkImage(m.image());
    checkText(m.text());
    checkSentiment(m.sentiment());
    require(m.reference().tolerance() > 0, "reference.tolerance", "must be positive");
    present(m.reference().cases(), "reference.cases");
    if (m.hasRegressorParts()) {
      checkParts(m.regressorParts(), m);
    }
    checkPrecision(m);
  }

  /** No precision is used whose fidelity was not measured. */
  private void checkPrecision(BundleManifest m) {
    String precision = m.precisionOrDefault();
    require(
        BundleManifest.PRECISIONS.contains(precision),
        "precision",
        "must be one of "
            + new java.util.TreeSet<>(BundleManifest.PRECISIONS)
            + ", not "
            + precision);
    if (BundleManifest.FP32.equals(precision)) {
      return;
    }
    BundleManifest.Fidelity fidelity = m.fidelity();
    present(fidelity, "fidelity (a " + precision + " bundle must declare it)");
    require(BundleManifest.FP32.equals(fidelity.against()), "fidelity.against", "must be fp32");
    require(fidelity.posts() > 0, "fidelity.posts", "must be positive");
    require(
        fidelity.rankCorrelation() >= -1 && fidelity.rankCorrelation() <= 1,
        "fidelity.rank_correlation",
        "must be from -1 to 1");
    require(fidelity.maxAbsDifference() >= 0, "fidelity.max_abs_difference", "must be >= 0");
  }

  private void checkParts(BundleManifest.RegressorParts parts, BundleManifest m) {
    for (String[] file :
        new String[][] {
          {parts.imageEncoder(), "regressor_parts.image_encoder"},
          {parts.textEncoder(), "regressor_parts.text_encoder"},
          {parts.head(), "regressor_parts.head"}
        }) {
      present(file[0], file[1]);
      require(m.files().containsKey(file[0]), file[1], "names a file that files does not list");
      require(file[0].endsWith(".pt"), file[1], "must name a .pt TorchScript file");
    }
    require(parts.imageFeatureSize() > 0, "regressor_parts.image_feature_size", "must be positive");
    require(parts.textFeatureSize() > 0, "regressor_parts.text_feature_size", "must be positive");
  }

  private void checkImage(BundleManifest.Image image) {
    require(image.size() > 0, "image.size", "must be positive");
    require(
        image.resizeShortestEdge() >= image.size(),
        "image.resize_shortest_edge",
        "must be at least image.size");
    require("bicubic".equals(image.resample()), "image.resample", "must be bicubic");
    require("center".equals(image.crop()), "image.crop", "must be center");
    require(image.rescaleFactor() > 0, "image.rescale_factor", "must be positive");
    require(image.mean() != null && image.mean().length == 3, "image.mean", "needs 3 values");
    require(image.std() != null && image.std().length == 3, "image.std", "needs 3 values");
    for (double std : image.std()) {
      require(std > 0, "image.std", "values must be positive");
    }
    require("zeros".equals(image.missing()), "image.missing", "must be zeros");
  }

  private void checkText(BundleManifest.Text text) {
    present(text.tokenizer(), "text.tokenizer");
    checkSpecialTokens(text.specialTokens(), text.maxTokens(), "text");
  }

  private void checkSentiment(BundleManifest.Sentiment sentiment) {
    present(sentiment.tokenizer(), "sentiment.tokenizer");
    checkSpecialTokens(sentiment.specialTokens(), sentiment.maxTokens(), "sentiment");
    require(
        PADDINGS.contains(sentiment.padding()), "sentiment.padding", "must be one of " + PADDINGS);
    present(sentiment.labels(), "sentiment.labels");
    BundleManifest.Features features = sentiment.features();
    present(features, "sentiment.features");
    require(
        "mean_softmax".equals(features.definition()),
        "sentiment.features.definition",
        "must be mean_softmax");
    require(
        features.size() == sentiment.labels().size(),
        "sentiment.features.size",
        "must equal the number of labels (" + sentiment.labels().size() + ")");
    require(
        features.emptyFeatures() != null && features.emptyFeatures().length == features.size(),
        "sentiment.features.empty_features",
        "needs " + features.size() + " values");
    BundleManifest.Score score = sentiment.score();
    present(score, "sentiment.score");
    require(
        "expected_label_value".equals(score.definition()),
        "sentiment.score.definition",
        "must be expected_label_value");
    require(
        score.labelValues() != null && score.labelValues().length == features.size(),
        "sentiment.score.label_values",
        "needs " + features.size() + " values");
  }

  private void checkSpecialTokens(BundleManifest.SpecialTokens tokens, int maxTokens, String at) {
    present(tokens, at + ".special_tokens");
    present(tokens.prefixIds(), at + ".special_tokens.prefix_ids");
    present(tokens.suffixIds(), at + ".special_tokens.suffix_ids");
    require(
        maxTokens > tokens.prefixIds().length + tokens.suffixIds().length,
        at + ".max_tokens",
        "must leave room for text between the special tokens");
  }

  private void present(Object value, String field) {
    require(!Objects.isNull(value), field, "is missing");
  }

  private void require(boolean condition, String field, String expectation) {
    if (!condition) {
      throw new ModelException("Manifest " + source + ": " + field + " " + expectation);
    }
  }
}
