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
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The latest score of a post, wherever in the group its partition lives: read from the local
 * latest-scores store when this instance owns the post's partition, otherwise asked of the owner
 * over its HTTP API (the {@code application.server} it advertises).
 */
public final class ScoreQueries {
  /** The query parameter that makes an instance answer from its own store only. */
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
   * The latest score of {@code postId}, empty when it has none yet.
   *
   * @param localOnly answer from this instance's store only (a query forwarded by another one)
   * @throws ScoringUnavailableException while the group rebalances or the owner cannot be reached
   */
  public Optional<ScoreView> latest(String postId, boolean localOnly) {
    KeyQueryMetadata owner =
        streams.queryMetadataForKey(
            ScoringTopology.LATEST_SCORES_STORE, postId, Serdes.String().serializer());
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      throw new ScoringUnavailableException("scores are not queryable now (rebalancing)");
    }
    if (owner.activeHost().equals(self)) {
      return local(postId, owner.partition());
    }
    if (localOnly) {
      throw new ScoringUnavailableException(
          "post " + postId + " moved to " + owner.activeHost() + " (rebalancing)");
    }
    return remote(postId, owner.activeHost());
  }

  private Optional<ScoreView> local(String postId, int partition) {
    try {
      ReadOnlyKeyValueStore<String, EngagementScore> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                      ScoringTopology.LATEST_SCORES_STORE,
                      QueryableStoreTypes.<String, EngagementScore>keyValueStore())
                  .withPartition(partition));
      return Optional.ofNullable(store.get(postId)).map(this::view);
    } catch (InvalidStateStoreException e) {
      throw new ScoringUnavailableException("the scores store is not ready: " + e.getMessage());
    }
  }

  private Optional<ScoreView> remote(String postId, HostInfo owner) {
    URI uri =
        URI.create(
            "http://"
                + owner.host()
                + ":"
                + owner.port()
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
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      if (response.statusCode() != 200) {
        throw new ScoringUnavailableException(
            "the owner " + owner + " answered " + response.statusCode());
      }
      return Optional.of(JSON.readValue(response.body(), ScoreView.class));
    } catch (IOException e) {
      throw new ScoringUnavailableException("the owner " + owner + " cannot be reached: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScoringUnavailableException("interrupted while asking " + owner);
    }
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
