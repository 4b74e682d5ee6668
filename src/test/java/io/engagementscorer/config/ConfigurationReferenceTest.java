package io.engagementscorer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference ({@code docs/configuration.md}) cannot drift from the code: every
 * variable the code reads is documented, every documented one is read, and every literal default
 * the page states is the default the code applies (the configuration read with the variable set to
 * it equals the configuration read without it).
 */
class ConfigurationReferenceTest {
  private static final Path REFERENCE = Path.of("docs/configuration.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| (`[A-Z][^|]*?) \\| ([^|]*) \\|", Pattern.MULTILINE);
  private static final Pattern NAME = Pattern.compile("`([A-Z][A-Z0-9_]*)`");
  private static final Pattern LITERAL = Pattern.compile("^`([^`]*)`");

  /** Read by libraries from the process environment, not by the service's configuration code. */
  private static final Set<String> READ_ELSEWHERE =
      Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE");

  /** The environment that takes every branch of the configuration code (stream, S3 models). */
  private static Map<String, String> everyBranch() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    env.put("SCHEMA_REGISTRY_URL", "mock://reference");
    env.put("USE_S3_MODEL", "true");
    env.put("S3_BUCKET_NAME", "models");
    env.put("S3_MODEL_KEY", "engagement/v1.tar.gz");
    return env;
  }

  /** The variables the configuration code looks up, however it asks the map. */
  private static final class RecordingEnvironment extends HashMap<String, String> {
    private static final long serialVersionUID = 1L;
    private final Set<String> asked = new TreeSet<>();

    RecordingEnvironment(Map<String, String> values) {
      super(values);
    }

    @Override
    public String get(Object key) {
      asked.add((String) key);
      return super.get(key);
    }

    @Override
    public String getOrDefault(Object key, String fallback) {
      asked.add((String) key);
      return super.getOrDefault(key, fallback);
    }

    @Override
    public boolean containsKey(Object key) {
      asked.add((String) key);
      return super.containsKey(key);
    }
  }

  /** Each documented variable and the default the page gives it (as written). */
  private static Map<String, String> documented() throws IOException {
    Map<String, String> defaults = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(REFERENCE));
    while (row.find()) {
      List<String> names = new ArrayList<>();
      Matcher name = NAME.matcher(row.group(1));
      while (name.find()) {
        names.add(name.group(1));
      }
      String[] values = row.group(2).trim().split(" / ");
      for (int index = 0; index < names.size(); index++) {
        defaults.put(
            names.get(index),
            values.length == names.size() ? values[index].trim() : row.group(2).trim());
      }
    }
    return defaults;
  }

  @Test
  void shouldDocumentEveryVariableTheCodeReadsAndReadEveryDocumentedOne() throws IOException {
    RecordingEnvironment env = new RecordingEnvironment(everyBranch());
    ServiceConfig.fromEnv(env);
    Set<String> read = new TreeSet<>(env.asked);
    read.removeIf(name -> name.startsWith(StreamsSettings.PROPERTY_PREFIX));
    Set<String> documented = new TreeSet<>(documented().keySet());
    documented.remove("KAFKA_STREAMS_");

    Set<String> undocumented = new TreeSet<>(read);
    undocumented.removeAll(documented);
    Set<String> unread = new TreeSet<>(documented);
    unread.removeAll(read);
    unread.removeAll(READ_ELSEWHERE);

    assertThat(undocumented).as("read by the code, missing from " + REFERENCE).isEmpty();
    assertThat(unread).as("documented in " + REFERENCE + " but never read").isEmpty();
  }

  @Test
  void shouldApplyEveryLiteralDefaultThePageStates() throws IOException {
    ServiceConfig defaults = ServiceConfig.fromEnv(everyBranch());
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, String> entry : documented().entrySet()) {
      Matcher literal = LITERAL.matcher(entry.getValue());
      if (everyBranch().containsKey(entry.getKey()) || !literal.find()) {
        continue; // "unset", "required", or a variable this test sets itself
      }
      String value = literal.group(1);
      if (value.contains("<") || value.startsWith("~")) {
        continue; // a placeholder for this machine's value: <tmp>, <PORT>, ~
      }
      Map<String, String> env = everyBranch();
      env.put(entry.getKey(), value);
      checked++;
      if (!ServiceConfig.fromEnv(env).equals(defaults)) {
        wrong.add(entry.getKey() + "=" + value);
      }
    }
    assertThat(wrong).as("defaults in " + REFERENCE + " the code does not apply").isEmpty();
    assertThat(checked).isGreaterThan(30);
  }
}
