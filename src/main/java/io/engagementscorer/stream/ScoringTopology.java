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
 * inline image (stored once), its CLIP features and its comments' sentiment; and a task's progress
 * in scoring its stored posts again for a new model. With a candidate topic, a candidate model's
 * scores of sampled posts go there too.
 */
public final class ScoringTopology {
  public static final String POST_STATE_STORE = "post-state";
  public static final String PENDING_STORE = "pending-posts";
  public static final String LATEST_SCORES_STORE = "latest-scores";
  public static final String POST_IMAGES_STORE = "post-images";
  public static final String POST_ENCODINGS_STORE = "post-encodings";
  public static final String COMMENT_SENTIMENT_STORE = "comment-sentiment";
  public static final String RESCORE_PROGRESS_STORE = "rescore-progress";
  static final String SOURCE = "posts-source";
  static final String PROCESSOR = "post-scoring";
  static final String SCORES_SINK = "scores-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";
  static final String CANDIDATE_SINK = "candidate-sink";

  private ScoringTopology() {}

  /**
   * The topology, a pure function of its arguments.
   *
   * @param topics input, output, dead-letter and (with a candidate) candidate topic names
   * @param preparation runs image fetching and post preparation off the stream threads
   * @param rollout the candidate's sampling and comparison, and re-scoring on a model change
   */
  public static Topology build(
      StreamTopics topics,
      StreamScoringSettings settings,
      StreamSerdes serdes,
      EngagementScorer scorer,
      ImageResolver images,
      Executor preparation,
      StreamRollout rollout,
      MeterRegistry registry) {
    if (rollout.shadowScoring() != (topics.candidate() != null)) {
      throw new IllegalArgumentException("a candidate needs a candidate topic, and only it does");
    }
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
                rollout,
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
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RESCORE_PROGRESS_STORE),
            Serdes.String(),
            serdes.rescorePasses()),
        PROCESSOR);
    if (topics.candidate() != null) {
      topology.addSink(
          CANDIDATE_SINK,
          topics.candidate(),
          Serdes.String().serializer(),
          serdes.candidateScores().serializer(),
          PROCESSOR);
    }
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
