package io.engagementscorer.ops;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the metric names a PromQL expression reads, so that tests can check them against what the
 * service exposes. A small tokenizer, not a parser: an identifier is a metric name unless it is a
 * keyword or aggregation operator, or is followed by {@code (} (a function). It skips label
 * matchers {@code {...}}, range and subquery brackets {@code [...]}, strings, numbers and
 * durations, the label lists of {@code by}, {@code without}, {@code on}, {@code ignoring}, {@code
 * group_left} and {@code group_right}, comments, and Grafana's {@code $variables}.
 */
final class PromQlMetricNames {
  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> KEYWORDS =
      Set.of("bool", "offset", "and", "or", "unless", "atan2", "inf", "nan");
  private static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");

  private final String expression;
  private int position;

  private PromQlMetricNames(String expression) {
    this.expression = expression;
  }

  /**
   * The metric names {@code expression} reads, in order of first use.
   *
   * @throws IllegalArgumentException when a bracket or string is not closed
   */
  static Set<String> in(String expression) {
    return new PromQlMetricNames(expression).names();
  }

  private Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    while (position < expression.length()) {
      char c = expression.charAt(position);
      if (c == '"' || c == '\'' || c == '`') {
        skipString(c);
      } else if (c == '{') {
        skipGroup('{', '}');
      } else if (c == '[') {
        skipGroup('[', ']');
      } else if (c == '#') {
        skipComment();
      } else if (c == '$') {
        skipVariable();
      } else if (Character.isDigit(c) || (c == '.' && nextIsDigit())) {
        skipNumber();
      } else if (isIdentifierStart(c)) {
        identifier(names);
      } else {
        position++;
      }
    }
    return names;
  }

  private void identifier(Set<String> names) {
    int start = position;
    while (position < expression.length() && isIdentifierPart(expression.charAt(position))) {
      position++;
    }
    String word = expression.substring(start, position);
    String keyword = word.toLowerCase(Locale.ROOT);
    boolean callFollows = nextNonSpace() == '(';
    if (LABEL_LIST_KEYWORDS.contains(keyword)) {
      if (callFollows) {
        skipSpaces();
        skipGroup('(', ')');
      }
    } else if (!KEYWORDS.contains(keyword) && !AGGREGATIONS.contains(keyword) && !callFollows) {
      names.add(word);
    }
  }

  private void skipString(char quote) {
    int start = position++;
    while (position < expression.length()) {
      char c = expression.charAt(position++);
      if (c == '\\' && quote != '`') {
        position++;
      } else if (c == quote) {
        return;
      }
    }
    throw unclosed("string", start);
  }

  /** Skips from an opening bracket to its matching close, strings inside included. */
  private void skipGroup(char open, char close) {
    int start = position++;
    int depth = 1;
    while (position < expression.length()) {
      char c = expression.charAt(position);
      if (c == '"' || c == '\'' || c == '`') {
        skipString(c);
        continue;
      }
      position++;
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        return;
      }
    }
    throw unclosed("'" + open + "'", start);
  }

  private void skipComment() {
    while (position < expression.length() && expression.charAt(position) != '\n') {
      position++;
    }
  }

  /** Grafana's {@code $name}, {@code $__interval} and {@code ${name:format}}. */
  private void skipVariable() {
    position++;
    if (position < expression.length() && expression.charAt(position) == '{') {
      skipGroup('{', '}');
      return;
    }
    while (position < expression.length() && isIdentifierPart(expression.charAt(position))) {
      position++;
    }
  }

  /** Numbers (1, 0.99, 1e-3, 0x1F; Inf and NaN are keywords) and durations (5m, 1h30m). */
  private void skipNumber() {
    while (position < expression.length()) {
      char c = expression.charAt(position);
      char previous = expression.charAt(position - 1);
      boolean exponentSign = (c == '+' || c == '-') && (previous == 'e' || previous == 'E');
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign)) {
        return;
      }
      position++;
    }
  }

  private char nextNonSpace() {
    int index = position;
    while (index < expression.length() && Character.isWhitespace(expression.charAt(index))) {
      index++;
    }
    return index < expression.length() ? expression.charAt(index) : '\0';
  }

  private void skipSpaces() {
    while (position < expression.length() && Character.isWhitespace(expression.charAt(position))) {
      position++;
    }
  }

  private boolean nextIsDigit() {
    return position + 1 < expression.length() && Character.isDigit(expression.charAt(position + 1));
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
  }

  private IllegalArgumentException unclosed(String what, int start) {
    return new IllegalArgumentException(
        "Unclosed " + what + " at position " + start + " of: " + expression);
  }
}
