package io.engagementscorer.fetch;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts web references may name. An entry is an exact host name or IP literal, or {@code
 * *.example.com}, which matches every subdomain of {@code example.com} at any depth but not {@code
 * example.com} itself. Matching ignores case and one trailing dot; IP literals match textually.
 */
final class HostAllowList {
  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  private static final Pattern HOST_NAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");

  /** A wildcard needs at least two labels after {@code *.}, so {@code *.com} is refused. */
  private static final Pattern WILDCARD =
      Pattern.compile("\\*\\.(" + LABEL + "(?:\\." + LABEL + ")+)");

  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  private final List<String> exact;
  private final List<String> suffixes;

  private HostAllowList(List<String> exact, List<String> suffixes) {
    this.exact = exact;
    this.suffixes = suffixes;
  }

  /** The allow-list of these entries, which must satisfy {@link #isValidPattern(String)}. */
  static HostAllowList of(Collection<String> patterns) {
    List<String> normalised = patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    return new HostAllowList(
        normalised.stream().filter(p -> !p.startsWith("*.")).toList(),
        normalised.stream().filter(p -> p.startsWith("*.")).map(p -> p.substring(1)).toList());
  }

  /** Whether an entry is a host name, an IP literal or a {@code *.domain} wildcard. */
  static boolean isValidPattern(String pattern) {
    String lower = pattern.toLowerCase(Locale.ROOT);
    return HOST_NAME.matcher(lower).matches()
        || WILDCARD.matcher(lower).matches()
        || IPV6_LITERAL.matcher(lower).matches();
  }

  /** Whether a URI host (as {@link java.net.URI#getHost()} gives it) is on the list. */
  boolean allows(String uriHost) {
    if (uriHost == null || uriHost.isEmpty()) {
      return false;
    }
    String host = normalise(uriHost);
    if (exact.contains(host)) {
      return true;
    }
    return suffixes.stream().anyMatch(suffix -> host.endsWith(suffix) && !host.equals(suffix));
  }

  /** Lower case, without IPv6 brackets or one trailing dot. */
  static String normalise(String uriHost) {
    String host = uriHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host;
  }
}
