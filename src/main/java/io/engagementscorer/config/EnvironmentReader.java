package io.engagementscorer.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Typed, validated reads of environment variables; every error names the variable and value. */
final class EnvironmentReader {
  private static final Set<String> TRUE_WORDS = Set.of("true", "1", "yes", "on");
  private static final Set<String> FALSE_WORDS = Set.of("false", "0", "no", "off");

  private final Map<String, String> values;

  EnvironmentReader(Map<String, String> values) {
    this.values = values;
  }

  String string(String name, String defaultValue) {
    String value = values.get(name);
    return value == null || value.isBlank() ? defaultValue : value.strip();
  }

  boolean bool(String name, boolean defaultValue) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    String word = value.strip().toLowerCase(Locale.ROOT);
    if (TRUE_WORDS.contains(word)) {
      return true;
    }
    if (FALSE_WORDS.contains(word)) {
      return false;
    }
    throw invalid(name, value, "expected true or false");
  }

  int integer(String name, int defaultValue, int min, int max) {
    return (int) longInteger(name, defaultValue, min, max);
  }

  long longInteger(String name, long defaultValue, long min, long max) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw invalid(name, value, "expected a whole number");
    }
    if (parsed < min || parsed > max) {
      throw invalid(name, value, "expected a number from " + min + " to " + max);
    }
    return parsed;
  }

  double decimal(String name, double defaultValue, double min, double max) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    double parsed;
    try {
      parsed = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw invalid(name, value, "expected a number");
    }
    if (!(parsed >= min && parsed <= max)) {
      throw invalid(name, value, "expected a number from " + min + " to " + max);
    }
    return parsed;
  }

  String choice(String name, String defaultValue, Set<String> allowed) {
    String value = string(name, defaultValue).toLowerCase(Locale.ROOT);
    if (!allowed.contains(value)) {
      throw invalid(name, value, "expected one of " + allowed);
    }
    return value;
  }

  /** The variables whose names start with {@code prefix}, with the prefix removed. */
  Map<String, String> withPrefix(String prefix) {
    Map<String, String> matching = new TreeMap<>();
    values.forEach(
        (name, value) -> {
          if (name.startsWith(prefix) && name.length() > prefix.length()) {
            matching.put(name.substring(prefix.length()), value);
          }
        });
    return matching;
  }

  static ConfigException invalid(String name, String value, String expectation) {
    return new ConfigException(
        "Invalid value for " + name + ": '" + value + "' (" + expectation + ")");
  }
}
