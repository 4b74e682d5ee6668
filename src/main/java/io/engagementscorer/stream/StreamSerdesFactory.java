package io.engagementscorer.stream;

import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.CommentSentiment;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEncoding;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.avro.RescorePass;
import io.engagementscorer.config.StreamsSettings;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerde;
import io.engagementscorer.stream.serde.JsonPostEventDeserializer;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import io.engagementscorer.stream.serde.SchemaRegistryClients;
import java.time.Duration;
import org.apache.kafka.common.serialization.Deserializer;

/** The serdes of {@link StreamsSettings}: its input format and schema registry. */
public final class StreamSerdesFactory {
  private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(10);

  private StreamSerdesFactory() {}

  /**
   * Serdes over the settings' registry. Output schemas register on first use when {@code
   * AUTO_REGISTER_SCHEMAS} is on; the stores' schemas (internal changelog subjects) always do.
   */
  public static StreamSerdes create(StreamsSettings settings) {
    SchemaRegistryClient registry =
        SchemaRegistryClients.create(
            settings.schemaRegistryUrl(), settings.schemaRegistryUserInfo(), REGISTRY_TIMEOUT);
    Deserializer<PostEvent> avro = new ConfluentAvroDeserializer<>(registry, PostEvent.class);
    Deserializer<PostEvent> events =
        switch (settings.inputFormat()) {
          case StreamsSettings.INPUT_FORMAT_JSON -> new JsonPostEventDeserializer();
          case StreamsSettings.INPUT_FORMAT_AUTO ->
              new AutoDetectingPostEventDeserializer(avro, new JsonPostEventDeserializer());
          default -> avro;
        };
    return over(registry, events, settings.autoRegisterSchemas());
  }

  /**
   * Serdes over {@code registry}, decoding input with {@code events}. The outputs' schemas register
   * on first use when {@code autoRegister} is on; the stores' always do.
   */
  public static StreamSerdes over(
      SchemaRegistryClient registry, Deserializer<PostEvent> events, boolean autoRegister) {
    return new StreamSerdes(
        events,
        new ConfluentAvroSerde<>(registry, PostState.class, true, false),
        new ConfluentAvroSerde<>(registry, PostEncoding.class, true, false),
        new ConfluentAvroSerde<>(registry, CommentSentiment.class, true, false),
        new ConfluentAvroSerde<>(registry, EngagementScore.class, true, false),
        new ConfluentAvroSerde<>(registry, EngagementScore.class, autoRegister, false),
        new ConfluentAvroSerde<>(registry, CandidateScore.class, autoRegister, false),
        new ConfluentAvroSerde<>(registry, RescorePass.class, true, false));
  }
}
