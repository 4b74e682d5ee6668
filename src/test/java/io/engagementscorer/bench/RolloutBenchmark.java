package io.engagementscorer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.rollout.RescoreProgress;
import io.engagementscorer.scoring.EngagementScorer;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a model rollout costs the served scores, in one run on one bundle: live posts at a fixed
 * rate through a real broker, the registry and the service in this JVM, with an HTTP client calling
 * {@code /predict} in a closed loop beside them, in three phases: no candidate; a candidate scoring
 * every post in the shadow (100% sampling); and while the stream scores 10,000 stored posts again
 * for a newly promoted version. Each phase reports the served scores' rate and produce-to-score
 * p50/p99, HTTP p50/p99, and what the background work did. Posts are text and three comments (no
 * image), so the model and the batcher's lanes, not image decoding, are what is measured.
 *
 * <p>Run with {@code ops/rollout-bench.sh [bundle-dir] [posts/s] [seconds] [stored posts] [rescore
 * posts/s]}.
 */
public final class RolloutBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 4;
  private static final Duration DEADLINE = Duration.ofMinutes(10);
  private static final long HTTP_PAUSE_MILLIS = 20;
  private static final int WARM_UP_POSTS = 200;

  private RolloutBenchmark() {}

  private record Phase(
      String name,
      double servedPerSecond,
      double p50,
      double p99,
      int httpRequests,
      double httpP50,
      double httpP99,
      String background) {}

  /** Arguments: bundle, live posts/s, seconds per phase, stored posts, re-scoring posts/s. */
  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args.length > 0 ? args[0] : "models/tiny");
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 40;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 30;
    int stored = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    int rescoreRate = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    System.out.printf(
        "Rollout benchmark of %s: live posts at %.0f/s for %.0f s per phase, %d stored posts"
            + " re-scored at up to %d/s, %d CPU cores%n",
        bundle, rate, seconds, stored, rescoreRate, Runtime.getRuntime().availableProcessors());
    Path candidate = candidateCopy(bundle);
    List<Phase> phases = new ArrayList<>();

    try (BenchStack stack = BenchStack.start(bundle, Map.of(), PARTITIONS)) {
      phases.add(measure(stack, "no candidate", "plain", rate, seconds, () -> "-"));
    }

    Map<String, String> shadow = new HashMap<>();
    shadow.put("CANDIDATE_MODEL_DIR", candidate.toString());
    shadow.put("CANDIDATE_SAMPLE_RATE", "1");
    try (BenchStack stack = BenchStack.start(bundle, shadow, PARTITIONS)) {
      MeterRegistry registry = stack.application().registry();
      phases.add(
          measure(
              stack,
              "candidate, 100% sampled",
              "shadow",
              rate,
              seconds,
              () ->
                  String.format(
                      "candidate scores: %.0f published, %.0f late, %.0f failed",
                      candidatePosts(registry, "published"),
                      candidatePosts(registry, "late"),
                      candidatePosts(registry, "failed"))));
    }

    Map<String, String> rescore = new HashMap<>();
    rescore.put("CANDIDATE_MODEL_DIR", candidate.toString());
    rescore.put("CANDIDATE_SAMPLE_RATE", "0");
    rescore.put("RESCORE_ON_MODEL_CHANGE", "true");
    rescore.put("RESCORE_MAX_POSTS_PER_SECOND", Integer.toString(rescoreRate));
    try (BenchStack stack = BenchStack.start(bundle, rescore, PARTITIONS)) {
      List<String> ids = new ArrayList<>(stored);
      long start = System.nanoTime();
      for (int index = 0; index < stored; index++) {
        ids.add("stored-" + index);
        stack.send(post("stored-" + index));
      }
      stack.flush();
      stack.scores().awaitAll(ids, DEADLINE);
      System.out.printf(
          "rescore: %d stored posts scored in %.1f s%n", stored, (System.nanoTime() - start) / 1e9);
      EngagementScorer scorer = stack.application().scorer();
      long promoted = System.nanoTime();
      scorer.promoteCandidate().orElseThrow();
      System.out.printf("rescore: promoted %s; the passes begin%n", scorer.current().version());
      Phase during =
          measure(
              stack,
              "re-scoring " + stored + " stored posts",
              "during",
              rate,
              seconds,
              () -> {
                RescoreProgress.Snapshot progress = rescoreProgress(stack);
                return String.format(
                    "re-scoring: %d of %d done at the phase's end, %.1f posts/s, %s",
                    progress.done(),
                    progress.total(),
                    progress.postsPerSecond(),
                    progress.running() > 0 ? "still running" : "finished");
              });
      phases.add(during);
      long end = System.nanoTime() + DEADLINE.toNanos();
      RescoreProgress.Snapshot progress = rescoreProgress(stack);
      while ((progress.running() > 0 || progress.done() < stored) && System.nanoTime() < end) {
        Thread.sleep(500);
        progress = rescoreProgress(stack);
      }
      System.out.printf(
          "rescore: all %d of %d stored posts handled %.1f s after the promotion (bound %d/s)%n",
          progress.done(), progress.total(), (System.nanoTime() - promoted) / 1e9, rescoreRate);
    }

    System.out.println();
    System.out.println(
        "| phase | served posts/s | produce to score p50 ms | p99 ms | HTTP requests | HTTP p50 ms"
            + " | HTTP p99 ms | background |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Phase phase : phases) {
      System.out.printf(
          "| %s | %.1f | %.1f | %.1f | %d | %.1f | %.1f | %s |%n",
          phase.name(),
          phase.servedPerSecond(),
          phase.p50(),
          phase.p99(),
          phase.httpRequests(),
          phase.httpP50(),
          phase.httpP99(),
          phase.background());
    }
    Phase base = phases.get(0);
    for (Phase phase : phases.subList(1, phases.size())) {
      System.out.printf(
          "%s vs no candidate: served p99 %.2fx, HTTP p99 %.2fx%n",
          phase.name(), phase.p99() / base.p99(), phase.httpP99() / base.httpP99());
    }
  }

  private static RescoreProgress.Snapshot rescoreProgress(BenchStack stack) {
    try {
      HttpResponse<String> info =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + stack.application().port()
                                  + "/api/v1/model-info"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      var node = JSON.readTree(info.body()).get("rescoring");
      return new RescoreProgress.Snapshot(
          true,
          new java.util.TreeSet<>(),
          node.get("tasks").asInt(),
          node.get("running").asInt(),
          node.get("done").asLong(),
          node.get("total").asLong(),
          node.get("posts_per_second").asDouble(),
          node.get("seconds_left").isNull() ? null : node.get("seconds_left").asLong());
    } catch (Exception e) {
      throw new IllegalStateException("cannot read model-info", e);
    }
  }

  private static double candidatePosts(MeterRegistry registry, String outcome) {
    return registry.find("engagement.candidate.posts").tag("outcome", outcome).counters().stream()
        .mapToDouble(counter -> counter.count())
        .sum();
  }

  /** Live posts at {@code rate} for {@code seconds}, with HTTP calls in a closed loop beside. */
  private static Phase measure(
      BenchStack stack,
      String name,
      String prefix,
      double rate,
      double seconds,
      java.util.function.Supplier<String> background)
      throws Exception {
    warmUp(stack, prefix);
    Map<String, Long> sent = new ConcurrentHashMap<>();
    List<Double> http = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    Thread client = new Thread(() -> callPredict(stack.application().port(), running, http));
    client.start();
    int count = (int) Math.max(1, Math.round(rate * seconds));
    List<String> ids = new ArrayList<>(count);
    long start = System.nanoTime();
    for (int index = 0; index < count; index++) {
      long due = start + (long) (index / rate * 1e9);
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      String id = prefix + "-" + index;
      ids.add(id);
      sent.put(id, stack.send(post(id)));
    }
    stack.flush();
    List<Long> arrivals = stack.scores().awaitAll(ids, DEADLINE);
    running.set(false);
    client.join();
    String after = background.get();
    List<Double> millis = new ArrayList<>(count);
    long last = 0;
    for (int index = 0; index < count; index++) {
      millis.add((arrivals.get(index) - sent.get(ids.get(index))) / 1e6);
      last = Math.max(last, arrivals.get(index));
    }
    double served = count / ((last - start) / 1e9);
    List<Double> httpMillis;
    synchronized (http) {
      httpMillis = new ArrayList<>(http);
    }
    Phase phase =
        new Phase(
            name,
            served,
            ModelCeiling.percentile(millis, 50),
            ModelCeiling.percentile(millis, 99),
            httpMillis.size(),
            ModelCeiling.percentile(httpMillis, 50),
            ModelCeiling.percentile(httpMillis, 99),
            after);
    System.out.printf(
        "%s: %d posts, served %.1f/s, p50 %.1f ms, p99 %.1f ms; HTTP %d calls, p50 %.1f ms, p99"
            + " %.1f ms; %s%n",
        name,
        count,
        served,
        phase.p50(),
        phase.p99(),
        phase.httpRequests(),
        phase.httpP50(),
        phase.httpP99(),
        after);
    return phase;
  }

  /** Scores a few hundred posts and HTTP calls first, so JIT and first batches are not measured. */
  private static void warmUp(BenchStack stack, String prefix) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int index = 0; index < WARM_UP_POSTS; index++) {
      String id = prefix + "-warm-" + index;
      ids.add(id);
      stack.send(post(id));
    }
    stack.flush();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Double> ignored = Collections.synchronizedList(new ArrayList<>());
    Thread client = new Thread(() -> callPredict(stack.application().port(), running, ignored));
    client.start();
    stack.scores().awaitAll(ids, DEADLINE);
    running.set(false);
    client.join();
  }

  private static void callPredict(int port, AtomicBoolean running, List<Double> millis) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI predict = URI.create("http://127.0.0.1:" + port + "/api/v1/predict");
    for (int call = 0; running.get(); call++) {
      // A new text each time: a cached feature would spare the model its work.
      HttpRequest request =
          HttpRequest.newBuilder(predict)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"raw_text\": \"http call "
                          + call
                          + " "
                          + ModelCeiling.TEXT
                          + "\", \"comments\": [\"so good "
                          + call
                          + "\"]}"))
              .build();
      long start = System.nanoTime();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("predict answered " + response.statusCode());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        throw new IllegalStateException("predict failed", e);
      }
      millis.add((System.nanoTime() - start) / 1e6);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HTTP_PAUSE_MILLIS));
    }
  }

  private static PostEvent post(String id) {
    List<Comment> comments = new ArrayList<>(ModelCeiling.COMMENTS);
    for (int index = 0; index < ModelCeiling.COMMENTS; index++) {
      comments.add(
          Comment.newBuilder()
              .setCommentId(id + "-c" + index)
              .setText(ModelCeiling.COMMENT_TEXTS.get(index % ModelCeiling.COMMENT_TEXTS.size()))
              .setCreatedAt(null)
              .build());
    }
    return PostEvent.newBuilder()
        .setPostId(id)
        .setText(ModelCeiling.TEXT + " " + id)
        .setImage(null)
        .setComments(comments)
        .setEventTime(null)
        .build();
  }

  /** A copy of {@code bundle} with another version: the candidate, with the same weights. */
  private static Path candidateCopy(Path bundle) throws Exception {
    Path target = Files.createTempDirectory("rollout-bench").resolve("candidate");
    BundleFixtures.copy(bundle, target);
    Path manifest = target.resolve(ModelBundle.MANIFEST);
    ObjectNode tree = BundleFixtures.readJson(manifest);
    tree.put("version", tree.get("version").asText() + "-candidate");
    BundleFixtures.writeJson(manifest, tree);
    return target;
  }
}
