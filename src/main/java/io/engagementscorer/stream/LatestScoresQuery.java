package io.engagementscorer.stream;

import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.errors.ScoringUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the latest-scores store: which instances may hold a post's score, and this
 * instance's own answer. Which partition holds a post depends on the producer's partitioner (see
 * {@link ProducerPartitioners}), so the owners under each one come first, then every other instance
 * that hosts the store. Asking the other instances is the HTTP side's business.
 */
public final class LatestScoresQuery {
  private final KafkaStreams streams;
  private final HostInfo self;

  /** Queries on {@code streams}, which advertises itself as {@code applicationServer}. */
  public LatestScoresQuery(KafkaStreams streams, String applicationServer) {
    this.streams = streams;
    this.self = HostInfo.buildFromEndpoint(applicationServer);
  }

  /**
   * An instance of the group, as it advertises itself ({@code application.server}).
   *
   * @param host its host name
   * @param port its HTTP port
   */
  public record Instance(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * What a query found, and what could not answer it.
   *
   * @param found the instances or score found, in order
   * @param unanswered why some instance or partition that may hold the score could not answer
   */
  public record Answer<T>(T found, List<String> unanswered) {}

  /** This instance. */
  public Instance self() {
    return new Instance(self.host(), self.port());
  }

  /**
   * The instances to ask for {@code postId}, in order: the owners of its partition under each
   * producer partitioner, then every other instance that hosts the store.
   */
  public Answer<Set<Instance>> instancesFor(String postId) {
    List<String> unanswered = new ArrayList<>();
    Set<Instance> instances = new LinkedHashSet<>();
    for (StreamPartitioner<String, Object> partitioner : ProducerPartitioners.DEFAULTS) {
      KeyQueryMetadata owner =
          streams.queryMetadataForKey(ScoringTopology.LATEST_SCORES_STORE, postId, partitioner);
      if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
        unanswered.add("the owner of a partition is not known now (rebalancing)");
      } else {
        instances.add(instance(owner.activeHost()));
      }
    }
    for (StreamsMetadata instance :
        streams.streamsMetadataForStore(ScoringTopology.LATEST_SCORES_STORE)) {
      instances.add(instance(instance.hostInfo()));
    }
    if (instances.isEmpty()) {
      unanswered.add("no instance hosts the scores now (rebalancing)");
    }
    return new Answer<>(instances, unanswered);
  }

  /**
   * The latest score of {@code postId} in every partition of the store this instance owns. A miss
   * while this instance rebalances is no answer: the post's partition may be on its way here, or
   * restoring.
   */
  public Answer<Optional<EngagementScore>> local(String postId) {
    List<String> unanswered = new ArrayList<>();
    for (int partition : localPartitions()) {
      try {
        EngagementScore score = store(partition).get(postId);
        if (score != null) {
          return new Answer<>(Optional.of(score), unanswered);
        }
      } catch (InvalidStateStoreException e) {
        unanswered.add(
            "partition " + partition + " on " + self() + " is not ready: " + e.getMessage());
      }
    }
    if (streams.state() == KafkaStreams.State.REBALANCING) {
      unanswered.add(self() + " is rebalancing");
    }
    return new Answer<>(Optional.empty(), unanswered);
  }

  /**
   * Checks that the stores can be queried at all.
   *
   * @throws ScoringUnavailableException when the stream is neither running nor rebalancing
   */
  public void requireRunning() {
    KafkaStreams.State state = streams.state();
    if (!state.isRunningOrRebalancing()) {
      throw new ScoringUnavailableException("the stream is not running (state " + state + ")");
    }
  }

  private static Instance instance(HostInfo host) {
    return new Instance(host.host(), host.port());
  }

  /** The partitions of the store this instance owns (one per input partition: one source). */
  private Set<Integer> localPartitions() {
    Set<Integer> partitions = new TreeSet<>();
    for (StreamsMetadata instance :
        streams.streamsMetadataForStore(ScoringTopology.LATEST_SCORES_STORE)) {
      if (instance.hostInfo().equals(self)) {
        instance.topicPartitions().forEach(partition -> partitions.add(partition.partition()));
      }
    }
    return partitions;
  }

  private ReadOnlyKeyValueStore<String, EngagementScore> store(int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
                ScoringTopology.LATEST_SCORES_STORE,
                QueryableStoreTypes.<String, EngagementScore>keyValueStore())
            .withPartition(partition));
  }
}
