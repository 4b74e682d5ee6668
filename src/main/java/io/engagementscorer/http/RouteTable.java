package io.engagementscorer.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The paths the server answers and the methods each allows, matched the way Javalin matches them
 * ({@code {param}} is one path segment, a trailing slash is ignored, a template ending in {@code
 * /*} covers everything below it). It answers what Javalin does not tell once no endpoint matched:
 * which methods go in a 405's {@code Allow} header, and which route template labels the request's
 * metrics, so that labels stay bounded whatever paths clients call.
 */
final class RouteTable {
  private record Route(String template, List<String> segments, boolean tree, Set<String> methods) {
    boolean matches(List<String> path) {
      if (tree ? path.size() < segments.size() : path.size() != segments.size()) {
        return false;
      }
      for (int index = 0; index < segments.size(); index++) {
        String segment = segments.get(index);
        boolean parameter = segment.startsWith("{") && segment.endsWith("}");
        if (parameter ? path.get(index).isEmpty() : !segment.equals(path.get(index))) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Route> routes = new ArrayList<>();

  /** Records that {@code template} answers {@code methods} (HTTP method names, upper case). */
  void allow(String template, String... methods) {
    boolean tree = template.endsWith("/*");
    String prefix = tree ? template.substring(0, template.length() - 2) : template;
    for (Route route : routes) {
      if (route.template().equals(template)) {
        route.methods().addAll(Arrays.asList(methods));
        return;
      }
    }
    routes.add(
        new Route(template, segments(prefix), tree, new LinkedHashSet<>(Arrays.asList(methods))));
  }

  /** Every registered template and the methods it allows, in registration order. */
  Map<String, Set<String>> templates() {
    Map<String, Set<String>> templates = new LinkedHashMap<>();
    routes.forEach(route -> templates.put(route.template(), Set.copyOf(route.methods())));
    return templates;
  }

  /** The methods some route allows on {@code path}, in registration order; empty for none. */
  Set<String> allowedMethods(String path) {
    List<String> segments = segments(path);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route route : routes) {
      if (route.matches(segments)) {
        allowed.addAll(route.methods());
      }
    }
    return allowed;
  }

  /** The template of the first route that {@code path} matches. */
  Optional<String> templateOf(String path) {
    List<String> segments = segments(path);
    return routes.stream()
        .filter(route -> route.matches(segments))
        .map(Route::template)
        .findFirst();
  }

  private static List<String> segments(String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.isEmpty()) {
      return List.of();
    }
    return List.of(trimmed.substring(trimmed.startsWith("/") ? 1 : 0).split("/", -1));
  }
}
