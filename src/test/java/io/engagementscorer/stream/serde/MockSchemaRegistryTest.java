package io.engagementscorer.stream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {
  private final String scope = "mock-test-" + UUID.randomUUID();

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope(scope);
  }

  @Test
  void shouldNumberSchemasFromOneAndKeepTheirIds() {
    MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);

    int posts = registry.register("posts-value", PostEvent.getClassSchema());
    int scores = registry.register("engagement-scores-value", EngagementScore.getClassSchema());
    int postsAgain = registry.register("posts-value", PostEvent.getClassSchema());

    assertThat(posts).isEqualTo(1);
    assertThat(scores).isEqualTo(2);
    assertThat(postsAgain).isEqualTo(1);
    assertThat(registry.schemaById(2)).isEqualTo(EngagementScore.getClassSchema());
  }

  @Test
  void shouldShareOneRegistryPerScope() {
    MockSchemaRegistry.forScope(scope).register("posts-value", PostEvent.getClassSchema());

    assertThat(MockSchemaRegistry.forScope(scope)).isSameAs(MockSchemaRegistry.forScope(scope));
    assertThat(MockSchemaRegistry.forScope(scope).idOf("posts-value", PostEvent.getClassSchema()))
        .isEqualTo(1);
    assertThatThrownBy(() -> MockSchemaRegistry.forScope(scope + "-other").schemaById(1))
        .isInstanceOf(SchemaRegistryException.class);
    MockSchemaRegistry.dropScope(scope + "-other");
  }

  @Test
  void shouldStartEmptyAfterTheScopeIsDropped() {
    MockSchemaRegistry.forScope(scope).register("posts-value", PostEvent.getClassSchema());

    MockSchemaRegistry.dropScope(scope);

    assertThatThrownBy(() -> MockSchemaRegistry.forScope(scope).schemaById(1))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessage("Unknown schema id 1 at schema registry mock://" + scope);
  }

  @Test
  void shouldGiveOneSchemaOneIdAcrossSubjectsButLookItUpOnlyWhereRegistered() {
    MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);

    int value = registry.register("posts-value", PostEvent.getClassSchema());
    int other = registry.register("posts-copy-value", PostEvent.getClassSchema());

    assertThat(other).isEqualTo(value);
    assertThatThrownBy(() -> registry.idOf("posts-key", PostEvent.getClassSchema()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("io.engagementscorer.avro.PostEvent is not registered")
        .hasMessageContaining("subject 'posts-key'");
  }
}
