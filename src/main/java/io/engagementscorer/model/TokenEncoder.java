package io.engagementscorer.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tokenizes text for one model as HuggingFace does with {@code truncation=True}: the content is cut
 * to leave room for the special tokens, which are then put around it. Padding is separate ({@link
 * #pad}) so batches can pad to their longest member or to a fixed length. Thread-safe.
 */
public final class TokenEncoder implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final BundleManifest.SpecialTokens specialTokens;
  private final int maxTokens;

  private TokenEncoder(
      HuggingFaceTokenizer tokenizer, BundleManifest.SpecialTokens specialTokens, int maxTokens) {
    this.tokenizer = tokenizer;
    this.specialTokens = specialTokens;
    this.maxTokens = maxTokens;
  }

  /** Loads a {@code tokenizer.json}; the special tokens and length come from the manifest. */
  public static TokenEncoder load(
      Path tokenizerJson, BundleManifest.SpecialTokens specialTokens, int maxTokens) {
    try {
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optAddSpecialTokens(false)
              .optTruncation(false)
              .optPadding(false)
              .build();
      return new TokenEncoder(tokenizer, specialTokens, maxTokens);
    } catch (IOException | RuntimeException e) {
      throw new ModelException("Cannot load tokenizer " + tokenizerJson, e);
    }
  }

  /** Token ids of {@code text} with special tokens, at most {@link #maxTokens()} long. */
  public long[] encode(String text) {
    long[] content = tokenizer.encode(text, false, false).getIds();
    long[] prefix = specialTokens.prefixIds();
    long[] suffix = specialTokens.suffixIds();
    int kept = Math.min(content.length, maxTokens - prefix.length - suffix.length);
    long[] ids = new long[prefix.length + kept + suffix.length];
    System.arraycopy(prefix, 0, ids, 0, prefix.length);
    System.arraycopy(content, 0, ids, prefix.length, kept);
    System.arraycopy(suffix, 0, ids, prefix.length + kept, suffix.length);
    return ids;
  }

  /** {@code ids} padded with the pad id to {@code length}. */
  public long[] pad(long[] ids, int length) {
    long[] padded = Arrays.copyOf(ids, length);
    Arrays.fill(padded, ids.length, length, specialTokens.padId());
    return padded;
  }

  /** The attention mask of {@code ids} padded to {@code length}: ones, then zeros. */
  public static long[] attentionMask(int tokens, int length) {
    long[] mask = new long[length];
    Arrays.fill(mask, 0, tokens, 1L);
    return mask;
  }

  /** The longest sequence {@link #encode} returns. */
  public int maxTokens() {
    return maxTokens;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
