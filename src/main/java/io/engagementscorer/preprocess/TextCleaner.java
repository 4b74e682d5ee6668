package io.engagementscorer.preprocess;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cleans post text the way the model was trained on it (the rules are in {@code models/README.md},
 * and the exporter's Python implements the same ones): URLs and @mentions removed, {@code #}
 * dropped with its word kept, lower case, everything but letters, marks, numbers and whitespace
 * deleted, whitespace collapsed. Letters of every script survive.
 */
public final class TextCleaner {
  // (?U): whitespace is Unicode White_Space (as Python's str.isspace), so an ideographic space
  // or a no-break space separates words instead of being deleted as punctuation.
  private static final Pattern URL = Pattern.compile("(?U)(?:https?://|www\\.)\\S*");
  private static final Pattern MENTION = Pattern.compile("@[\\p{L}\\p{M}\\p{N}_]+");
  private static final Pattern NOT_KEPT = Pattern.compile("(?U)[^\\p{L}\\p{M}\\p{N}\\s]");
  private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+");

  private TextCleaner() {}

  /** The cleaned form of {@code raw}; never null, empty when nothing is left. */
  public static String clean(String raw) {
    String text = URL.matcher(raw).replaceAll(" ");
    text = MENTION.matcher(text).replaceAll(" ");
    text = text.replace("#", "").toLowerCase(Locale.ROOT);
    text = NOT_KEPT.matcher(text).replaceAll("");
    return WHITESPACE.matcher(text).replaceAll(" ").strip();
  }
}
