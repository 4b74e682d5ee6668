package io.engagementscorer.stream;

import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** What the tests that drive {@link ScoringTopology} with a {@link TopologyTestDriver} share. */
final class TopologyTestKit {
  private TopologyTestKit() {}

  /** A driver for {@code topology}, with its state under {@code stateDir} and no broker. */
  static TopologyTestDriver driver(Topology topology, String applicationId, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new TopologyTestDriver(topology, props);
  }

  /** The input topic as producers write it: string keys, raw value bytes. */
  static TestInputTopic<String, byte[]> rawInput(TopologyTestDriver driver, String topic) {
    return driver.createInputTopic(
        topic, Serdes.String().serializer(), Serdes.ByteArray().serializer());
  }

  /** An output topic of Confluent-framed Avro values, read through {@code schemas}. */
  static <V extends SpecificRecord> TestOutputTopic<String, V> avroOutput(
      TopologyTestDriver driver, String topic, SchemaRegistryClient schemas, Class<V> type) {
    return driver.createOutputTopic(
        topic, Serdes.String().deserializer(), new ConfluentAvroDeserializer<>(schemas, type));
  }

  /**
   * Lets submitted posts finish scoring: advances wall-clock time by {@code step} (each punctuation
   * collects what finished) until {@code outputs} has not changed for ten rounds and the scorer's
   * queue is empty, or {@code deadline} has passed.
   */
  static void settle(
      TopologyTestDriver driver,
      EngagementScorer scorer,
      Duration step,
      Duration deadline,
      LongSupplier outputs) {
    long end = System.nanoTime() + deadline.toNanos();
    long last = -1;
    int quietRounds = 0;
    while (quietRounds < 10 && System.nanoTime() < end) {
      driver.advanceWallClockTime(step);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = outputs.getAsLong();
      quietRounds = now == last && scorer.queueDepth() == 0 ? quietRounds + 1 : 0;
      last = now;
    }
  }
}
