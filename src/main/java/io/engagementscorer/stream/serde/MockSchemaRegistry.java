package io.engagementscorer.stream.serde;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory schema registry, one per scope, like Confluent's {@code mock://scope} URLs: every
 * client asking for the same scope shares its schemas, so a test's serializer and deserializer see
 * the same ids. Ids start at 1 and, as in a real registry, one schema has one id in its scope
 * whatever the subject.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {
  private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final String scope;
  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Set<Integer>> idsBySubject = new HashMap<>();

  private MockSchemaRegistry(String scope) {
    this.scope = scope;
  }

  /**
   * Returns the registry of a scope, creating it empty on first use.
   *
   * @param scope the scope, the part after {@code mock://}
   * @return the registry shared by every caller of this scope
   */
  public static MockSchemaRegistry forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
  }

  /**
   * Forgets a scope and its schemas, so that the next {@link #forScope} starts empty again.
   *
   * @param scope the scope to drop
   */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    int id = idsBySchema.computeIfAbsent(schema, unused -> schemasById.size() + 1);
    schemasById.putIfAbsent(id, schema);
    idsBySubject.computeIfAbsent(subject, unused -> new HashSet<>()).add(id);
    return id;
  }

  @Override
  public synchronized int idOf(String subject, Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null || !idsBySubject.getOrDefault(subject, Set.of()).contains(id)) {
      throw SchemaRegistryException.notRegistered(schema, subject, toString(), "");
    }
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException("Unknown schema id " + id + " at schema registry " + this);
    }
    return schema;
  }

  @Override
  public String toString() {
    return SchemaRegistryClients.MOCK_SCHEME + scope;
  }
}
