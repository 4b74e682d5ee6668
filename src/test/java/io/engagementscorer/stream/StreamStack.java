package io.engagementscorer.stream;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.RestSchemaRegistryClient;
import io.engagementscorer.testing.ApicurioRegistry;
import io.engagementscorer.testing.EmbeddedKafka;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the stream's integration tests publish into: a real KRaft broker with the {@code posts}
 * topic, the real Apicurio registry, an idempotent producer and the Confluent-framed Avro
 * serializer. Closing it closes them, producer first.
 */
public final class StreamStack implements AutoCloseable {
  private final EmbeddedKafka kafka;
  private final ApicurioRegistry registry;
  private final RestSchemaRegistryClient schemas;
  private final ConfluentAvroSerializer<PostEvent> events;
  private final KafkaProducer<String, byte[]> producer;

  private StreamStack(EmbeddedKafka kafka, ApicurioRegistry registry) {
    this.kafka = kafka;
    this.registry = registry;
    this.schemas = new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(10));
    this.events = new ConfluentAvroSerializer<>(schemas, PostEvent.class, true, false);
    this.producer = StreamTestKit.producer(kafka.bootstrapServers());
  }

  /** Starts the broker with {@code posts} in {@code partitions} partitions, then the registry. */
  public static StreamStack start(int partitions) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    ApicurioRegistry registry = null;
    try {
      kafka.createTopic("posts", partitions);
      registry = ApicurioRegistry.start();
      return new StreamStack(kafka, registry);
    } catch (Exception | Error e) {
      if (registry != null) {
        registry.close();
      }
      kafka.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  public RestSchemaRegistryClient schemas() {
    return schemas;
  }

  /** {@link StreamTestKit#serviceEnvironment} for an instance on this broker and registry. */
  public Map<String, String> serviceEnvironment(int port) throws IOException {
    return StreamTestKit.serviceEnvironment(port, kafka.bootstrapServers(), registryUrl());
  }

  /** Sends {@code event} to {@code posts}, keyed by its post id; {@link #flush} waits for it. */
  public void publish(PostEvent event) {
    publish(event.getPostId(), serialize(event));
  }

  /** Sends raw bytes to {@code posts}: for values the serializer would not write. */
  public void publish(String key, byte[] value) {
    producer.send(new ProducerRecord<>("posts", key, value));
  }

  /** The Confluent-framed bytes of {@code event}, as {@link #publish(PostEvent)} sends them. */
  public byte[] serialize(PostEvent event) {
    return events.serialize("posts", event);
  }

  public void flush() {
    producer.flush();
  }

  /** {@link StreamTestKit#readScores} on this broker and registry. */
  public List<ConsumerRecord<String, EngagementScore>> scoresUntil(
      Predicate<List<ConsumerRecord<String, EngagementScore>>> done) {
    return StreamTestKit.readScores(kafka.bootstrapServers(), schemas, done);
  }

  /**
   * {@link StreamTestKit#readAll}: every record committed on {@code topic} now, as {@code type}.
   */
  public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(
      String topic, Class<V> type) {
    return StreamTestKit.readAll(
        kafka.bootstrapServers(), topic, new ConfluentAvroDeserializer<>(schemas, type));
  }

  @Override
  public void close() {
    try {
      producer.close();
    } finally {
      try {
        registry.close();
      } finally {
        kafka.close();
      }
    }
  }
}
