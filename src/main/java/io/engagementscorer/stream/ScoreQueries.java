package io.engagementscorer.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.scoring.ScoringUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The latest score of a post, wherever in the group its partition lives. Which partition that is
 * depends on the producer's partitioner (see {@link ProducerPartitioners}), so a lookup asks the
 * owners of the post's murmur2 and CRC32 partitions first, and then every other instance that hosts
 * the latest-scores store, before it answers that the post has no score. An instance answers from
 * all of its own partitions at once: from its local stores, or, asked by another instance over its
 * HTTP API (the {@code application.server} it advertises, with {@link #LOCAL_ONLY}), from theirs.
 */
public final class ScoreQueries {
  /** The query parameter that makes an instance answer from its own partitions only. */
  public static final String LOCAL_ONLY = "local";

  private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private final KafkaStreams streams;
  private final HostInfo self;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REMOTE_TIMEOUT).build();

  /** Queries on {@code streams}, which advertises itself as {@code applicationServer}. */
  public ScoreQueries(KafkaStreams streams, String applicationServer) {
    this.streams = streams;
    this.self = HostInfo.buildFromEndpoint(applicationServer);
  }

  /**
   * A post's latest score, as the API shows it.
   *
   * @param postId the post
   * @param engagementScore predicted engagement in [0, 1]
   * @param sentimentScore comment sentiment in [0, 1]
   * @param cleanedText the text after cleaning
   * @param commentCount comments scored
   * @param modelVersion the model that scored it
   * @param scoredAt when it was scored (ISO-8601)
   * @param postVersion the version of the post state that was scored
   * @param servedBy the instance whose store answered
   */
  public record ScoreView(
      String postId,
      double engagementScore,
      double sentimentScore,
      String cleanedText,
      int commentCount,
      String modelVersion,
      String scoredAt,
      long postVersion,
      String servedBy) {}

  /**
   * The latest score of {@code postId}, empty when no instance has one for it.
   *
   * @param localOnly answer from this instance's partitions only (a query forwarded by another one)
   * @throws ScoringUnavailableException when no score was found and some instance or partition that
   *     may hold it could not answer: the group rebalances, a store restores, an owner cannot be
   *     reached
   */
  public Optional<ScoreView> latest(String postId, boolean localOnly) {
    KafkaStreams.State state = streams.state();
    if (!state.isRunningOrRebalancing()) {
      throw new ScoringUnavailableException("the stream is not running (state " + state + ")");
    }
    Lookup lookup = new Lookup(postId);
    Optional<ScoreView> found =
        localOnly ? lookup.local() : lookup.inOrder(hostsToAsk(postId, lookup));
    if (found.isEmpty() && !lookup.unanswered.isEmpty()) {
      throw new ScoringUnavailableException(
          "post "
              + postId
              + " was not found, and not everywhere could answer: "
              + String.join("; ", lookup.unanswered));
    }
    return found;
  }

  /**
   * The instances to ask, in order: the owners of the post's partition under each producer
   * partitioner, then every other instance that hosts the store.
   */
  private Set<HostInfo> hostsToAsk(String postId, Lookup lookup) {
    Set<HostInfo> hosts = new LinkedHashSet<>();
    for (StreamPartitioner<String, Object> partitioner : ProducerPartitioners.DEFAULTS) {
      KeyQueryMetadata owner =
          streams.queryMetadataForKey(ScoringTopology.LATEST_SCORES_STORE, postId, partitioner);
      if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
        lookup.unanswered.add("the owner of a partition is not known now (rebalancing)");
      } else {
        hosts.add(owner.activeHost());
      }
    }
    for (StreamsMetadata instance :
        streams.streamsMetadataForStore(ScoringTopology.LATEST_SCORES_STORE)) {
      hosts.add(instance.hostInfo());
    }
    if (hosts.isEmpty()) {
      lookup.unanswered.add("no instance hosts the scores now (rebalancing)");
    }
    return hosts;
  }

  /** One lookup of a post: what it found, and what could not answer. */
  private final class Lookup {
    private final String postId;
    private final List<String> unanswered = new ArrayList<>();

    Lookup(String postId) {
      this.postId = postId;
    }

    Optional<ScoreView> inOrder(Set<HostInfo> hosts) {
      for (HostInfo host : hosts) {
        Optional<ScoreView> found = host.equals(self) ? local() : remote(host);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }

    /**
     * From every partition of the store this instance owns. A miss while this instance rebalances
     * is no answer: the post's partition may be on its way here, or restoring.
     */
    Optional<ScoreView> local() {
      for (int partition : localPartitions()) {
        try {
          EngagementScore score = store(partition).get(postId);
          if (score != null) {
            return Optional.of(view(score));
          }
        } catch (InvalidStateStoreException e) {
          unanswered.add(
              "partition " + partition + " on " + self + " is not ready: " + e.getMessage());
        }
      }
      if (streams.state() == KafkaStreams.State.REBALANCING) {
        unanswered.add(self + " is rebalancing");
      }
      return Optional.empty();
    }

    private Optional<ScoreView> remote(HostInfo host) {
      URI uri =
          URI.create(
              "http://"
                  + host.host()
                  + ":"
                  + host.port()
                  + "/api/v1/scores/"
                  + URLEncoder.encode(postId, StandardCharsets.UTF_8).replace("+", "%20")
                  + "?"
                  + LOCAL_ONLY
                  + "=true");
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(uri).timeout(REMOTE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return Optional.of(JSON.readValue(response.body(), ScoreView.class));
        }
        if (response.statusCode() != 404) {
          unanswered.add(host + " answered " + response.statusCode() + " " + response.body());
        }
      } catch (IOException e) {
        unanswered.add(host + " cannot be reached: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ScoringUnavailableException("interrupted while asking " + host);
      }
      return Optional.empty();
    }
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

  private ScoreView view(EngagementScore score) {
    return new ScoreView(
        score.getPostId(),
        score.getEngagementScore(),
        score.getSentimentScore(),
        score.getCleanedText(),
        score.getCommentCount(),
        score.getModelVersion(),
        score.getScoredAt().toString(),
        score.getPostVersion(),
        self.host() + ":" + self.port());
  }
}
