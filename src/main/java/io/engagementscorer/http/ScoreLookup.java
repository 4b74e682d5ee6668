package io.engagementscorer.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.stream.LatestScoresQuery;
import io.engagementscorer.stream.LatestScoresQuery.Answer;
import io.engagementscorer.stream.LatestScoresQuery.Instance;
import io.engagementscorer.stream.ScoreRecords;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The latest score of a post, wherever in the group its partition lives. The stream says which
 * instances may hold it ({@link LatestScoresQuery}); a lookup asks them in that order, this one
 * from its local stores and the others over their HTTP API (the {@code application.server} they
 * advertise, with {@link #LOCAL_ONLY}), before it answers that the post has no score.
 */
final class ScoreLookup {
  /** The query parameter that makes an instance answer from its own partitions only. */
  static final String LOCAL_ONLY = "local";

  private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = ApiJson.mapper();

  private final LatestScoresQuery stores;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REMOTE_TIMEOUT).build();

  ScoreLookup(LatestScoresQuery stores) {
    this.stores = stores;
  }

  /**
   * The latest score of {@code postId}, empty when no instance has one for it.
   *
   * @param localOnly answer from this instance's partitions only (a query forwarded by another one)
   * @throws ScoringUnavailableException when no score was found and some instance or partition that
   *     may hold it could not answer: the group rebalances, a store restores, an owner cannot be
   *     reached
   */
  Optional<ScoreView> latest(String postId, boolean localOnly) {
    stores.requireRunning();
    Lookup lookup = new Lookup(postId);
    Optional<ScoreView> found = localOnly ? lookup.local() : lookup.inOrder();
    if (found.isEmpty() && !lookup.unanswered.isEmpty()) {
      throw new ScoringUnavailableException(
          "post "
              + postId
              + " was not found, and not everywhere could answer: "
              + String.join("; ", lookup.unanswered));
    }
    return found;
  }

  /** One lookup of a post: what it found, and what could not answer. */
  private final class Lookup {
    private final String postId;
    private final List<String> unanswered = new ArrayList<>();

    Lookup(String postId) {
      this.postId = postId;
    }

    Optional<ScoreView> inOrder() {
      Answer<Set<Instance>> instances = stores.instancesFor(postId);
      unanswered.addAll(instances.unanswered());
      Instance self = stores.self();
      for (Instance instance : instances.found()) {
        Optional<ScoreView> found = instance.equals(self) ? local() : remote(instance);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }

    Optional<ScoreView> local() {
      Answer<Optional<EngagementScore>> local = stores.local(postId);
      unanswered.addAll(local.unanswered());
      return local.found().map(score -> view(score, stores.self()));
    }

    private Optional<ScoreView> remote(Instance instance) {
      URI uri =
          URI.create(
              "http://"
                  + instance.host()
                  + ":"
                  + instance.port()
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
          unanswered.add(instance + " answered " + response.statusCode() + " " + response.body());
        }
      } catch (IOException e) {
        unanswered.add(instance + " cannot be reached: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ScoringUnavailableException("interrupted while asking " + instance);
      }
      return Optional.empty();
    }
  }

  /** The answer for a score found in {@code servedBy}'s store. */
  static ScoreView view(EngagementScore score, Instance servedBy) {
    return new ScoreView(
        score.getPostId(),
        ScoreRecords.scoreOf(score),
        score.getScoredAt().toString(),
        score.getPostVersion(),
        servedBy.toString());
  }
}
