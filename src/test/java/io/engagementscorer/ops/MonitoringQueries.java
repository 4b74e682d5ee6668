package io.engagementscorer.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL expressions of the monitoring configuration in {@code ops/}: every alert rule in a
 * Prometheus rule file, and every panel query and query variable of a Grafana dashboard, each with
 * where it is used.
 */
final class MonitoringQueries {
  // Grafana's variable queries: label_values(metric or selector, label) reads a metric;
  // label_values(label) and label_names() read none.
  private static final Pattern LABEL_VALUES =
      Pattern.compile("(?s)\\s*label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*");
  private static final Pattern WITHOUT_METRIC =
      Pattern.compile(
          "\\s*(label_values\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)|label_names\\(\\))\\s*");

  /** One PromQL expression and where it is used, e.g. {@code alerts.yml alert ScorerDown}. */
  record Query(String usedIn, String expression) {}

  private MonitoringQueries() {}

  /** The {@code expr} of every rule in a Prometheus rule file. */
  static List<Query> fromRuleFile(Path file) throws IOException {
    JsonNode rules = new YAMLMapper().readTree(file.toFile());
    List<Query> queries = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.has("alert") ? "alert " + rule.get("alert").asText() : "record";
        queries.add(
            new Query(file.getFileName() + " " + name, requireText(rule, "expr", file, name)));
      }
    }
    return queries;
  }

  /** The {@code expr} of every panel target (rows included) and every query variable. */
  static List<Query> fromDashboard(Path file) throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
    List<Query> queries = new ArrayList<>();
    addPanels(dashboard.path("panels"), file, queries);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        JsonNode query = variable.path("query");
        String text = query.isObject() ? query.path("query").asText() : query.asText();
        String usedIn = file.getFileName() + " variable $" + variable.path("name").asText();
        variableExpression(text, usedIn).ifPresent(expr -> queries.add(new Query(usedIn, expr)));
      }
    }
    return queries;
  }

  private static void addPanels(JsonNode panels, Path file, List<Query> queries) {
    for (JsonNode panel : panels) {
      String usedIn = file.getFileName() + " panel '" + panel.path("title").asText() + "'";
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(usedIn, requireText(target, "expr", file, usedIn)));
      }
      addPanels(panel.path("panels"), file, queries);
    }
  }

  private static Optional<String> variableExpression(String text, String usedIn) {
    Matcher labelValues = LABEL_VALUES.matcher(text);
    if (labelValues.matches()) {
      return Optional.of(labelValues.group(1));
    }
    if (WITHOUT_METRIC.matcher(text).matches()) {
      return Optional.empty();
    }
    throw new IllegalArgumentException(
        usedIn + ": unsupported variable query (use label_values(metric, label)): " + text);
  }

  private static String requireText(JsonNode node, String field, Path file, String usedIn) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(file + ": " + usedIn + " has no " + field);
    }
    return value.asText();
  }
}
