package io.engagementscorer.bench;

import io.engagementscorer.Application;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.ServiceConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.imageio.ImageIO;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures what reusing features saves, in one run on one bundle:
 *
 * <ol>
 *   <li>HTTP {@code /api/v1/predict}: a post without an image sent again with one more comment each
 *       time, at 10, 100 and 1000 comments: cold (the first time each post is seen) and warm (p50
 *       and p99 of the resends), sequentially.
 *   <li>The stream, hot posts: 50 posts with a text and an inline PNG, each receiving comment
 *       events one at a time (a post's next comment is produced once its previous one is scored),
 *       once with reuse (the default) and once with {@code FEATURE_CACHE_MB=0}, which scores every
 *       change from scratch as the service did before: comment events scored per second and
 *       produce-to-score p50/p99. From scratch, the whole workload would take hours: it runs for a
 *       bounded time, then one round of comment events on posts with half and with all the
 *       comments, and the whole workload's rate is computed from the three.
 *   <li>Bytes written to the changelog topics by one comment-only event on a post with a 100 KB
 *       inline image and 10 comments.
 *   <li>The feature caches' memory under distinct posts larger than {@code FEATURE_CACHE_MB=1}.
 * </ol>
 *
 * <p>Run with {@code ops/incremental-bench.sh [bundle-dir] [comments-per-hot-post]
 * [seconds-of-full-re-scoring]}; {@code BENCH_JVM_OPTS=-Dbench.phases=http} runs the HTTP part
 * alone, {@code -Dbench.breakdown=true} prints the service's timers after each HTTP series.
 */
public final class IncrementalBenchmark {
  private static final int[] COMMENT_COUNTS = {10, 100, 1000};
  private static final int COLD_POSTS = 3;
  private static final int WARM_RESENDS = 15;
  private static final int HOT_POSTS = 50;
  private static final int PARTITIONS = 4;
  private static final int MAX_MEMORY_POSTS = 5_000;
  private static final Duration HOT_POST_DEADLINE = Duration.ofMinutes(20);

  private IncrementalBenchmark() {}

  /** The p50 and p99 of a set of latencies, in ms, and how many there were. */
  private record Percentiles(int count, double p50, double p99) {
    static Percentiles of(List<Double> millis) {
      return new Percentiles(
          millis.size(), ModelCeiling.percentile(millis, 50), ModelCeiling.percentile(millis, 99));
    }
  }

  /** One hot-post run: events scored, over how long, their latencies, the comments reached. */
  private record HotPosts(int events, double seconds, Percentiles latency, int commentsReached) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  /**
   * Arguments: bundle directory (default models/tiny), comments per hot post (default 200), seconds
   * of full re-scoring (default 60).
   */
  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args.length > 0 ? args[0] : "models/tiny");
    int commentsPerPost = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    double fullSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 60;
    System.out.printf(
        "Incremental scoring benchmark of %s, %d CPU cores, %s %s%n",
        bundle,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"),
        System.getProperty("java.version"));

    if ("rounds".equals(System.getProperty("bench.phases"))) {
      try (BenchStack stack = stack(bundle, Map.of("FEATURE_CACHE_MB", "0"))) {
        scratchRound(stack, commentsPerPost / 2);
        scratchRound(stack, commentsPerPost);
      }
      return;
    }
    Map<Integer, Double> cold = new HashMap<>();
    Map<Integer, Percentiles> warm = new HashMap<>();
    measureHttp(bundle, cold, warm);
    if ("http".equals(System.getProperty("bench.phases"))) {
      return;
    }
    HotPosts reusing;
    try (BenchStack stack = stack(bundle, Map.of())) {
      reusing = hotPosts(stack, "reuse", commentsPerPost, Double.POSITIVE_INFINITY);
    }
    HotPosts scratch;
    List<HotPosts> rounds = new ArrayList<>();
    try (BenchStack stack = stack(bundle, Map.of("FEATURE_CACHE_MB", "0"))) {
      scratch = hotPosts(stack, "scratch", commentsPerPost, fullSeconds);
      // The bounded run reaches only small posts; rounds on larger ones give the rest.
      rounds.add(
          new HotPosts(
              HOT_POSTS,
              scratch.seconds() * HOT_POSTS / scratch.events(),
              scratch.latency(),
              Math.max(1, scratch.commentsReached() / 2)));
      rounds.add(roundAt(stack, commentsPerPost / 2 - 1));
      rounds.add(roundAt(stack, commentsPerPost - 1));
    }
    double scratchWhole = wholeWorkloadRate(rounds, commentsPerPost);
    Map<String, Long> changelog = changelogBytesOfOneComment(bundle);
    long[] memory = cacheMemory(bundle);

    System.out.println();
    System.out.println("| HTTP, post without image | comments | p50 ms | p99 ms |");
    System.out.println("| --- | --- | --- | --- |");
    for (int comments : COMMENT_COUNTS) {
      System.out.printf(
          "| cold (median of %d posts) | %d | %.1f | - |%n",
          COLD_POSTS, comments, cold.get(comments));
      Percentiles row = warm.get(comments);
      System.out.printf(
          "| warm, one more comment (%d resends) | %d | %.1f | %.1f |%n",
          row.count(), comments, row.p50(), row.p99());
    }
    System.out.printf(
        "%nWarm p50 at 1000 / at 10 comments: %.1f / %.1f ms = %.2fx (target: at most 2x);"
            + " cold / warm at 1000: %.0fx%n",
        warm.get(1000).p50(),
        warm.get(10).p50(),
        warm.get(1000).p50() / warm.get(10).p50(),
        cold.get(1000) / warm.get(1000).p50());
    System.out.println();
    System.out.println(
        "| stream, 50 hot posts | comment events | events/s | p50 ms | p99 ms | comments a post |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    printHotPosts("reuse (default), the whole workload", reusing);
    printHotPosts(
        String.format(Locale.ROOT, "from scratch (FEATURE_CACHE_MB=0), first %.0f s", fullSeconds),
        scratch);
    for (HotPosts round : rounds.subList(1, rounds.size())) {
      printHotPosts("from scratch, one round of 50 events", round);
    }
    System.out.printf(
        "%nComment events per second over the whole workload (%d comments a post), reuse / from"
            + " scratch (rounds interpolated): %.1f / %.2f = %.0fx (target: at least 20x); against"
            + " the first %.0f s from scratch alone: %.0fx%n",
        commentsPerPost,
        reusing.eventsPerSecond(),
        scratchWhole,
        reusing.eventsPerSecond() / scratchWhole,
        fullSeconds,
        reusing.eventsPerSecond() / scratch.eventsPerSecond());
    long total = changelog.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "%nChangelog bytes of one comment-only event (100 KB inline image, 10 comments): %d in"
            + " all (target: under 4096 beyond the comment itself); by topic: %s%n",
        total, changelog);
    System.out.printf(
        "Feature caches after %d distinct posts with FEATURE_CACHE_MB=1: %d of %d bytes held,"
            + " %d evictions%n",
        memory[3], memory[0], memory[1], memory[2]);
  }

  private static void printHotPosts(String setting, HotPosts run) {
    System.out.printf(
        "| %s | %d | %.2f | %.1f | %.1f | %d |%n",
        setting,
        run.events(),
        run.eventsPerSecond(),
        run.latency().p50(),
        run.latency().p99(),
        run.commentsReached());
  }

  private static Application httpOnly(Path bundle, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("MODEL_DIR", bundle.toString());
    env.put("MAX_COMMENTS", "2000");
    env.put("SCORING_TIMEOUT_MS", "600000");
    env.put("LOG_LEVEL", "warning");
    return Application.start(ServiceConfig.fromEnv(env));
  }

  private static void measureHttp(
      Path bundle, Map<Integer, Double> cold, Map<Integer, Percentiles> warm) throws Exception {
    try (Application application = httpOnly(bundle, Map.of())) {
      URI predict = URI.create("http://127.0.0.1:" + application.port() + "/api/v1/predict");
      HttpClient client = HttpClient.newHttpClient();
      for (int comments : COMMENT_COUNTS) {
        List<Double> coldMillis = new ArrayList<>();
        for (int post = 0; post < COLD_POSTS; post++) {
          coldMillis.add(predict(client, predict, "cold-" + comments + "-" + post, comments));
        }
        cold.put(comments, ModelCeiling.percentile(coldMillis, 50));
        List<Double> warmMillis = new ArrayList<>();
        for (int more = 1; more <= WARM_RESENDS; more++) {
          warmMillis.add(predict(client, predict, "cold-" + comments + "-0", comments + more));
        }
        warm.put(comments, Percentiles.of(warmMillis));
        if (Boolean.getBoolean("bench.breakdown")) {
          application.registry().getMeters().stream()
              .filter(meter -> meter instanceof Timer)
              .map(meter -> (Timer) meter)
              .forEach(
                  timer ->
                      System.out.printf(
                          "  %s %s: %d, mean %.2f ms%n",
                          timer.getId().getName(),
                          timer.getId().getTags(),
                          timer.count(),
                          timer.mean(TimeUnit.MILLISECONDS)));
        }
        System.out.printf(
            "HTTP %d comments: cold %s ms, warm p50 %.1f ms%n",
            comments, coldMillis, warm.get(comments).p50());
      }
    }
  }

  /** Sends post {@code name} with its first {@code comments} comments; the latency in ms. */
  private static double predict(HttpClient client, URI predict, String name, int comments)
      throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder();
    body.append("{\"raw_text\": \"").append(ModelCeiling.TEXT).append(' ').append(name);
    body.append("\", \"image_base64\": null, \"comments\": [");
    for (int index = 0; index < comments; index++) {
      body.append(index == 0 ? "" : ", ").append('"').append(commentText(name, index)).append('"');
    }
    body.append("]}");
    HttpRequest request =
        HttpRequest.newBuilder(predict)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    long start = System.nanoTime();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    double millis = (System.nanoTime() - start) / 1e6;
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "predict answered " + response.statusCode() + ": " + response.body());
    }
    return millis;
  }

  private static String commentText(String post, int index) {
    String tone = ModelCeiling.COMMENT_TEXTS.get(index % ModelCeiling.COMMENT_TEXTS.size());
    return tone + " (" + post + " #" + index + ")";
  }

  private static Comment comment(String post, int index) {
    return Comment.newBuilder()
        .setCommentId(post + "-c" + index)
        .setText(commentText(post, index))
        .setCreatedAt(null)
        .build();
  }

  private static PostEvent post(String id, byte[] image, List<Comment> comments) {
    return PostEvent.newBuilder()
        .setPostId(id)
        .setText(ModelCeiling.TEXT + " " + id)
        .setImage(ImageReference.newBuilder().setBytes(ByteBuffer.wrap(image)).setUri(null).build())
        .setComments(comments)
        .setEventTime(null)
        .build();
  }

  private static PostEvent commentEvent(String id, int index) {
    return PostEvent.newBuilder()
        .setPostId(id)
        .setText(null)
        .setImage(null)
        .setComments(List.of(comment(id, index)))
        .setEventTime(null)
        .build();
  }

  private static BenchStack stack(Path bundle, Map<String, String> settings) throws Exception {
    Map<String, String> env = new HashMap<>(settings);
    env.put("MAX_COMMENTS", "1000");
    // From scratch, a batch of 32 posts with 200 comments each runs the classifier 6400 times:
    // longer than the default 30 s, and a post whose score times out is scored again from scratch.
    env.put("SCORING_TIMEOUT_MS", "600000");
    return BenchStack.start(bundle, env, PARTITIONS);
  }

  /** {@link #HOT_POSTS} new posts named {@code prefix-N} with {@code comments} comments, scored. */
  private static List<String> createPosts(BenchStack stack, String prefix, int comments)
      throws IOException {
    byte[] png = ModelCeiling.samplePng();
    List<String> posts = new ArrayList<>();
    for (int post = 0; post < HOT_POSTS; post++) {
      String id = prefix + "-" + post;
      posts.add(id);
      List<Comment> existing = new ArrayList<>();
      for (int index = 0; index < comments; index++) {
        existing.add(comment(id, index));
      }
      stack.send(post(id, png, existing));
    }
    stack.flush();
    stack.scores().awaitAllPatiently(posts, HOT_POST_DEADLINE);
    return posts;
  }

  /**
   * Gives each of {@link #HOT_POSTS} new posts {@code commentsPerPost} comments one at a time, each
   * once the previous one is scored, for at most {@code seconds}.
   */
  private static HotPosts hotPosts(
      BenchStack stack, String prefix, int commentsPerPost, double seconds) throws IOException {
    List<String> posts = createPosts(stack, prefix, 0);
    long[] sentAt = new long[HOT_POSTS];
    int[] version = new int[HOT_POSTS];
    List<Double> latencies = new ArrayList<>();
    long start = System.nanoTime();
    long end = Double.isInfinite(seconds) ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
    long deadline = start + HOT_POST_DEADLINE.toNanos();
    for (int post = 0; post < HOT_POSTS; post++) {
      version[post] = 1;
      sentAt[post] = stack.send(commentEvent(posts.get(post), 0));
    }
    stack.flush();
    int events = 0;
    int finished = 0;
    while (finished < HOT_POSTS && System.nanoTime() < Math.min(end, deadline)) {
      boolean sent = false;
      for (int post = 0; post < HOT_POSTS; post++) {
        if (version[post] > commentsPerPost) {
          continue;
        }
        Long arrived = stack.scores().arrivalOf(posts.get(post), version[post] + 1L);
        if (arrived == null) {
          continue;
        }
        latencies.add((arrived - sentAt[post]) / 1e6);
        events++;
        version[post]++;
        if (version[post] > commentsPerPost) {
          finished++;
        } else if (System.nanoTime() < end) {
          sentAt[post] = stack.send(commentEvent(posts.get(post), version[post] - 1));
          sent = true;
        }
      }
      if (sent) {
        stack.flush();
      } else {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int reached = 0;
    for (int post = 0; post < HOT_POSTS; post++) {
      reached = Math.max(reached, version[post] - 1);
    }
    System.out.printf(
        "hot posts %s: %d comment events scored in %.1f s, up to %d comments a post%n",
        prefix, events, elapsed, reached);
    return new HotPosts(events, elapsed, Percentiles.of(latencies), reached);
  }

  /**
   * One round of comment events on {@link #HOT_POSTS} posts that already have {@code comments}
   * comments: each gets one more, all at once; the seconds until the last is scored, and the
   * events' latencies.
   */
  private static HotPosts roundAt(BenchStack stack, int comments) throws IOException {
    List<String> posts = createPosts(stack, "round-" + comments, comments);
    long[] sentAt = new long[HOT_POSTS];
    for (int post = 0; post < HOT_POSTS; post++) {
      sentAt[post] = stack.send(commentEvent(posts.get(post), comments));
    }
    stack.flush();
    List<String> scored = new ArrayList<>();
    posts.forEach(post -> scored.add(post + "@2"));
    List<Long> arrivals = stack.scores().awaitVersions(scored, HOT_POST_DEADLINE);
    List<Double> latencies = new ArrayList<>();
    long last = 0;
    for (int post = 0; post < HOT_POSTS; post++) {
      latencies.add((arrivals.get(post) - sentAt[post]) / 1e6);
      last = Math.max(last, arrivals.get(post));
    }
    double seconds = (last - sentAt[0]) / 1e9;
    System.out.printf(
        "from scratch, %d comments a post: a round of %d comment events took %.1f s%n",
        comments + 1, HOT_POSTS, seconds);
    return new HotPosts(HOT_POSTS, seconds, Percentiles.of(latencies), comments + 1);
  }

  /**
   * {@link #HOT_POSTS} new posts with {@code comments} comments each, published at once and scored
   * from scratch: the work of one round of comment events at that size without reuse (every input
   * of every post through its model). The seconds from the first send to the last score.
   */
  private static double scratchRound(BenchStack stack, int comments) throws IOException {
    byte[] png = ModelCeiling.samplePng();
    List<String> posts = new ArrayList<>();
    long start = System.nanoTime();
    for (int post = 0; post < HOT_POSTS; post++) {
      String id = "scratch-round-" + comments + "-" + post;
      posts.add(id);
      List<Comment> existing = new ArrayList<>();
      for (int index = 0; index < comments; index++) {
        existing.add(comment(id, index));
      }
      stack.send(post(id, png, existing));
    }
    stack.flush();
    List<Long> arrivals = stack.scores().awaitAllPatiently(posts, HOT_POST_DEADLINE);
    double seconds =
        (arrivals.stream().mapToLong(Long::longValue).max().orElseThrow() - start) / 1e9;
    System.out.printf(
        "from scratch, %d posts with %d comments each: all scored in %.1f s (%.2f posts/s)%n",
        HOT_POSTS, comments, seconds, HOT_POSTS / seconds);
    return seconds;
  }

  /**
   * Comment events per second of the whole hot-post workload from scratch, from measured rounds: a
   * round's time is linear in the comments a post has (the classifier runs on all of them), so the
   * round times are interpolated linearly between the measured comment counts and summed over 1 to
   * {@code commentsPerPost}.
   */
  static double wholeWorkloadRate(List<HotPosts> rounds, int commentsPerPost) {
    double totalSeconds = 0;
    for (int comments = 1; comments <= commentsPerPost; comments++) {
      totalSeconds += interpolatedRoundSeconds(rounds, comments);
    }
    return HOT_POSTS * (double) commentsPerPost / totalSeconds;
  }

  private static double interpolatedRoundSeconds(List<HotPosts> rounds, int comments) {
    HotPosts below = rounds.get(0);
    HotPosts above = rounds.get(rounds.size() - 1);
    for (int index = 0; index + 1 < rounds.size(); index++) {
      if (rounds.get(index + 1).commentsReached() >= comments) {
        below = rounds.get(index);
        above = rounds.get(index + 1);
        break;
      }
    }
    double span = above.commentsReached() - below.commentsReached();
    double share = span == 0 ? 0 : (comments - below.commentsReached()) / span;
    return below.seconds() + share * (above.seconds() - below.seconds());
  }

  /** A PNG of random noise of about {@code bytes} bytes (noise does not compress). */
  private static byte[] noisePng(int bytes) throws IOException {
    int side = (int) Math.sqrt(bytes / 3.0);
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(1);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    }
  }

  private static Map<String, Long> changelogBytesOfOneComment(Path bundle) throws Exception {
    try (BenchStack stack = BenchStack.start(bundle, Map.of(), PARTITIONS)) {
      byte[] image = noisePng(100_000);
      List<Comment> comments = new ArrayList<>();
      for (int index = 0; index < 10; index++) {
        comments.add(comment("big", index));
      }
      stack.send(post("big", image, comments));
      stack.flush();
      stack.scores().awaitVersions(List.of("big@1"), HOT_POST_DEADLINE);
      Map<TopicPartition, Long> before = stack.changelogEnds();
      Comment added = comment("big", 10);
      stack.send(commentEvent("big", 10));
      stack.flush();
      stack.scores().awaitVersions(List.of("big@2"), HOT_POST_DEADLINE);
      Map<String, Long> bytes = stack.changelogBytesSince(before);
      System.out.printf(
          "changelog: image %d bytes; the added comment's id and text are %d bytes; %s%n",
          image.length, added.getCommentId().length() + added.getText().length(), bytes);
      return bytes;
    }
  }

  /**
   * Sends distinct posts (text and three comments, no image) to a service with FEATURE_CACHE_MB=1,
   * a hundred at a time, until the caches have evicted; then the bytes they hold, their bound, the
   * evictions and the posts sent.
   */
  private static long[] cacheMemory(Path bundle) throws Exception {
    try (Application application = httpOnly(bundle, Map.of("FEATURE_CACHE_MB", "1"))) {
      URI predict = URI.create("http://127.0.0.1:" + application.port() + "/api/v1/predict");
      HttpClient client = HttpClient.newHttpClient();
      MeterRegistry registry = application.registry();
      ExecutorService senders = Executors.newFixedThreadPool(8);
      int posts = 0;
      try {
        while (evictions(registry) == 0 && posts < MAX_MEMORY_POSTS) {
          List<Future<Double>> sent = new ArrayList<>();
          for (int index = 0; index < 100; index++) {
            String name = "distinct-" + posts++;
            sent.add(senders.submit(() -> predict(client, predict, name, 3)));
          }
          for (Future<Double> future : sent) {
            future.get();
          }
        }
      } finally {
        senders.shutdown();
      }
      long held = 0;
      for (Gauge gauge : registry.find("engagement.feature.cache.bytes").gauges()) {
        held += (long) gauge.value();
      }
      long bound = (long) registry.get("engagement.feature.cache.max.bytes").gauge().value();
      return new long[] {held, bound, (long) evictions(registry), posts};
    }
  }

  private static double evictions(MeterRegistry registry) {
    return registry.find("engagement.feature.cache.evictions").counters().stream()
        .mapToDouble(counter -> counter.count())
        .sum();
  }
}
