package io.engagementscorer.stream;

import io.engagementscorer.scoring.EngagementScorer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the scoring topology: {@code posts} (raw bytes, decoded in the processor so that a bad
 * record becomes a dead letter instead of stopping the stream) → {@link PostScoringProcessor} with
 * its changelogged stores → the scores topic and the dead-letter topic. Beside the post's state,
 * the pending posts and the latest scores, the stores keep what a post's next change reuses: its
 * inline image (stored once), its CLIP features and its comments' sentiment.
 */
public final class ScoringTopology {
  public static final String POST_STATE_STORE = "post-state";
  public static final String PENDING_STORE = "pending-posts";
  public static final String LATEST_SCORES_STORE = "latest-scores";
  public static final String POST_IMAGES_STORE = "post-images";
  public static final String POST_ENCODINGS_STORE = "post-encodings";
  public static final String COMMENT_SENTIMENT_STORE = "comment-sentiment";
  static final String SOURCE = "posts-source";
  static final String PROCESSOR = "post-scoring";
  static final String SCORES_SINK = "scores-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";

  private ScoringTopology() {}

  /**
   * The topology, a pure function of its arguments.
   *
   * @param topics input, output and dead-letter topic names
   * @param preparation runs image fetching and post preparation off the stream threads
   */
  public static Topology build(
      StreamTopics topics,
      StreamScoringSettings settings,
      StreamSerdes serdes,
      EngagementScorer scorer,
      ImageResolver images,
      Executor preparation,
      MeterRegistry registry) {
    Semaphore inFlightPermits = new Semaphore(settings.maxInFlight());
    Topology topology = new Topology();
    topology.addSource(
        SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.input());
    topology.addProcessor(
        PROCESSOR,
        () ->
            new PostScoringProcessor(
                settings,
                serdes.postEvents(),
                scorer,
                images,
                preparation,
                inFlightPermits,
                registry),
        SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(POST_STATE_STORE), Serdes.String(), serdes.postStates()),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PENDING_STORE), Serdes.String(), Serdes.Long()),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(LATEST_SCORES_STORE),
            Serdes.String(),
            serdes.storedScores()),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(POST_IMAGES_STORE), Serdes.String(), Serdes.ByteArray()),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(POST_ENCODINGS_STORE),
            Serdes.String(),
            serdes.postEncodings()),
        PROCESSOR);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(COMMENT_SENTIMENT_STORE),
            Serdes.String(),
            serdes.commentSentiments()),
        PROCESSOR);
    topology.addSink(
        SCORES_SINK,
        topics.output(),
        Serdes.String().serializer(),
        serdes.outputScores().serializer(),
        PROCESSOR);
    topology.addSink(
        DEAD_LETTER_SINK,
        topics.deadLetter(),
        Serdes.String().serializer(),
        Serdes.ByteArray().serializer(),
        PROCESSOR);
    return topology;
  }
}
