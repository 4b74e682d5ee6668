package io.engagementscorer.faults;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the scores topic with {@code read_committed} from the beginning for the whole run, as a
 * downstream consumer would, and records every score with the time it became visible.
 */
final class ScoreWatcher implements Runnable, AutoCloseable {
  /**
   * A score as a {@code read_committed} consumer saw it.
   *
   * @param postId the post
   * @param version the post version that was scored
   * @param commentCount the comments the score counted
   * @param modelVersion the model that scored it
   * @param seenAtMillis when this consumer received it
   */
  record SeenScore(
      String postId, long version, int commentCount, String modelVersion, long seenAtMillis) {}

  private final String bootstrapServers;
  private final String topic;
  private final SchemaRegistryClient registry;
  private final List<SeenScore> seen = new ArrayList<>();
  private volatile boolean stopped;

  ScoreWatcher(String bootstrapServers, String topic, SchemaRegistryClient registry) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.registry = registry;
  }

  @Override
  public void run() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, EngagementScore> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ConfluentAvroDeserializer<>(registry, EngagementScore.class))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!stopped) {
        for (ConsumerRecord<String, EngagementScore> record :
            consumer.poll(Duration.ofMillis(100))) {
          EngagementScore score = record.value();
          record(
              new SeenScore(
                  record.key(),
                  score.getPostVersion(),
                  score.getCommentCount(),
                  score.getModelVersion(),
                  System.currentTimeMillis()));
        }
      }
    }
  }

  private synchronized void record(SeenScore score) {
    seen.add(score);
  }

  /** Every score seen so far, in the order seen (per post, the order of its output partition). */
  synchronized List<SeenScore> seen() {
    return List.copyOf(seen);
  }

  /** Waits until {@code done} holds for what was seen, or {@code deadline} passes. */
  boolean awaitSeen(Predicate<List<SeenScore>> done, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (done.test(seen())) {
        return true;
      }
      Thread.sleep(250);
    }
    return done.test(seen());
  }

  @Override
  public void close() {
    stopped = true;
  }
}
