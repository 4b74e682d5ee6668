package io.engagementscorer.bench;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.StreamsSettings;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the Kafka Streams path end to end, in one run on one bundle: the model ceiling at the
 * stream's batch size ({@link ModelCeiling}), then, through a real KRaft broker, the Apicurio
 * registry and the whole service in this JVM, the saturated throughput (a backlog of new posts,
 * scores per second on the output topic, read_committed, over the middle of the drain) and the
 * produce-to-score latency at a fixed rate below it. Each post has a text, an inline 320x240 PNG
 * and {@value ModelCeiling#COMMENTS} comments. Prints a Markdown table and the ratio of saturated
 * throughput to the ceiling. The load generator shares the machine's cores with the service.
 *
 * <p>Run with {@code ops/stream-bench.sh [bundle-dir] [seconds-per-phase]}.
 */
public final class StreamBenchmark {
  private static final int BATCH_SIZE = 32;
  private static final int PARTITIONS = 4;
  // The backlog outlasts the phase at the ceiling; its count is bounded because each post carries
  // a 168 KB PNG into the input topic, the post-state changelog and RocksDB.
  private static final double BACKLOG_PER_CEILING_SECOND = 1.5;
  private static final int MIN_BACKLOG = 200;
  private static final int MAX_BACKLOG = 5_000;
  // The steady window leaves out the ramp-up (JIT, first fetches) and the tail (partial batches).
  private static final double STEADY_TRIM = 0.15;
  private static final double SUSTAINABLE_SHARE = 0.7;
  // A phase fails when its scores stop coming for this long, or run past its deadline.
  private static final Duration DEADLINE_SLACK = Duration.ofSeconds(120);
  private static final int DRAIN_DEADLINE_FACTOR = 10;
  // Settings an operator would tune; taken from the environment so alternatives run the same way.
  private static final List<String> TUNING =
      List.of(
          "BATCH_MAX_DELAY_MS",
          "BATCH_QUEUE_CAPACITY",
          "SCORING_TIMEOUT_MS",
          "INFERENCE_WORKERS",
          "SENTIMENT_BATCH_SIZE",
          "COMMIT_INTERVAL_MS",
          "NUM_STREAM_THREADS");

  private StreamBenchmark() {}

  /** Arguments: bundle directory (default models/tiny), seconds per phase (default 30). */
  public static void main(String[] args) throws Exception {
    Path bundleDir = Path.of(args.length > 0 ? args[0] : "models/tiny");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 30;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        "Stream benchmark of %s, %.0f s per phase, %d CPU cores, %s %s%n",
        bundleDir,
        seconds,
        cores,
        System.getProperty("os.arch"),
        System.getProperty("java.version"));
    System.out.printf(
        "The broker, the service and the load generator (producer, consumer) share this JVM's %d"
            + " cores; the registry runs in a child JVM on them too.%n",
        cores);
    Map<String, String> tuning = tuningFromEnvironment();
    System.out.printf(
        "Service: BATCH_MAX_SIZE=%d, %s%n",
        BATCH_SIZE, tuning.isEmpty() ? "defaults otherwise" : "tuned by " + tuning);
    double ceilingMillis =
        ModelCeiling.medianBatchMillis(bundleDir, new int[] {BATCH_SIZE}, seconds)[0];
    double ceiling = ModelCeiling.postsPerSecond(BATCH_SIZE, ceilingMillis);
    int backlog =
        (int)
            Math.max(
                MIN_BACKLOG,
                Math.min(MAX_BACKLOG, Math.round(ceiling * seconds * BACKLOG_PER_CEILING_SECOND)));
    double saturated;
    Latency latency;
    try (ScoringStack stack = ScoringStack.start(bundleDir, tuning)) {
      saturated = stack.saturate(backlog, ceiling);
      latency = stack.atFixedRate(SUSTAINABLE_SHARE * saturated, seconds);
    }
    System.out.println();
    System.out.println("| measurement | setting | posts/s | p50 ms | p99 ms |");
    System.out.println("| --- | --- | --- | --- | --- |");
    System.out.printf(
        "| model ceiling (ready tensors) | batch %d | %.1f | %.1f | - |%n",
        BATCH_SIZE, ceiling, ceilingMillis);
    System.out.printf(
        "| stream, saturated (backlog) | %d posts, middle %.0f%% of scores | %.1f | - | - |%n",
        backlog, 100 * (1 - 2 * STEADY_TRIM), saturated);
    System.out.printf(
        "| stream, produce to score | fixed rate, %.0f%% of saturated | %.1f | %.1f | %.1f |%n",
        100 * SUSTAINABLE_SHARE, latency.postsPerSecond(), latency.p50(), latency.p99());
    System.out.printf(
        "%nStream saturated / ceiling at batch %d: %.1f / %.1f posts/s = %.0f%%%n",
        BATCH_SIZE, saturated, ceiling, 100 * saturated / ceiling);
  }

  private record Latency(double postsPerSecond, double p50, double p99) {}

  /** The benchmark's stack, and the two phases it measures on it. */
  private static final class ScoringStack implements AutoCloseable {
    private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
    private final BenchStack stack;
    private final ByteBuffer png;

    private ScoringStack(BenchStack stack) throws IOException {
      this.stack = stack;
      this.png = ByteBuffer.wrap(ModelCeiling.samplePng());
    }

    static ScoringStack start(Path bundleDir, Map<String, String> tuning) throws Exception {
      Map<String, String> env = new HashMap<>();
      // Every post here is new and alike: reuse would only measure the caches, not the model.
      env.put("FEATURE_CACHE_MB", "0");
      env.putAll(tuning);
      env.put("BATCH_MAX_SIZE", Integer.toString(BATCH_SIZE));
      return new ScoringStack(BenchStack.start(bundleDir, env, PARTITIONS));
    }

    /** Publishes {@code backlog} new posts at once; the steady rate of their scores, posts/s. */
    double saturate(int backlog, double ceiling) {
      BatcherCounters before = BatcherCounters.of(stack.application().registry());
      long start = System.nanoTime();
      List<String> ids = new ArrayList<>(backlog);
      for (int index = 0; index < backlog; index++) {
        String id = "saturated-" + index;
        ids.add(id);
        send(id);
      }
      stack.flush();
      double publishSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "saturated: %d posts published in %.1f s (%.0f posts/s)%n",
          backlog, publishSeconds, backlog / publishSeconds);
      Duration deadline =
          DEADLINE_SLACK.plusMillis(
              (long) (DRAIN_DEADLINE_FACTOR * 1000 * backlog / Math.max(ceiling, 1e-3)));
      List<Long> arrivals = stack.scores().awaitAll(ids, deadline);
      double drainSeconds = (arrivals.get(arrivals.size() - 1) - start) / 1e9;
      double rate = steadyRate(arrivals);
      System.out.printf(
          "saturated: all %d scored %.1f s after the first send; steady %.1f posts/s%n",
          backlog, drainSeconds, rate);
      BatcherCounters.of(stack.application().registry()).minus(before).print(drainSeconds);
      return rate;
    }

    /** Publishes new posts at {@code rate} for {@code seconds} and measures produce-to-score. */
    Latency atFixedRate(double rate, double seconds) {
      int count = (int) Math.max(1, Math.round(rate * seconds));
      List<String> ids = new ArrayList<>(count);
      long start = System.nanoTime();
      for (int index = 0; index < count; index++) {
        long due = start + (long) (index / rate * 1e9);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        String id = "rate-" + index;
        ids.add(id);
        send(id);
      }
      stack.flush();
      double publishSeconds = (System.nanoTime() - start) / 1e9;
      double achieved = count / publishSeconds;
      Duration deadline = DEADLINE_SLACK.plusMillis((long) (DRAIN_DEADLINE_FACTOR * seconds * 1e3));
      List<Long> arrivals = stack.scores().awaitAll(ids, deadline);
      List<Double> millis = new ArrayList<>(count);
      for (int index = 0; index < count; index++) {
        millis.add((arrivals.get(index) - sentNanos.get(ids.get(index))) / 1e6);
      }
      Latency latency =
          new Latency(
              achieved, ModelCeiling.percentile(millis, 50), ModelCeiling.percentile(millis, 99));
      System.out.printf(
          "fixed rate: %d posts at %.1f posts/s (asked %.1f); p50 %.1f ms, p99 %.1f ms%n",
          count, achieved, rate, latency.p50(), latency.p99());
      return latency;
    }

    private void send(String id) {
      PostEvent event =
          PostEvent.newBuilder()
              .setPostId(id)
              .setText(ModelCeiling.TEXT)
              .setImage(ImageReference.newBuilder().setBytes(png.duplicate()).setUri(null).build())
              .setComments(comments(id))
              .setEventTime(null)
              .build();
      sentNanos.put(id, stack.send(event));
    }

    private static List<Comment> comments(String postId) {
      List<Comment> comments = new ArrayList<>(ModelCeiling.COMMENTS);
      for (String text : ModelCeiling.COMMENT_TEXTS) {
        comments.add(
            Comment.newBuilder()
                .setCommentId(postId + "-c" + comments.size())
                .setText(text)
                .setCreatedAt(null)
                .build());
      }
      return comments;
    }

    @Override
    public void close() {
      stack.close();
    }
  }

  /**
   * The {@link #TUNING} variables and any {@code KAFKA_STREAMS_*} ones set in this process's
   * environment, sorted by name.
   */
  private static Map<String, String> tuningFromEnvironment() {
    Map<String, String> tuning = new TreeMap<>();
    System.getenv()
        .forEach(
            (name, value) -> {
              if (TUNING.contains(name) || name.startsWith(StreamsSettings.PROPERTY_PREFIX)) {
                tuning.put(name, value);
              }
            });
    return tuning;
  }

  /**
   * Scores per second over the steady window: from the arrival of the score at {@link #STEADY_TRIM}
   * of the count to the one at 1 - {@link #STEADY_TRIM}, counting the scores that arrived after the
   * window opened. Scores arrive a transaction at a time, so the window is bounded by arrivals and
   * the transaction that opens it is left out.
   */
  static double steadyRate(List<Long> arrivalNanos) {
    List<Long> sorted = new ArrayList<>(arrivalNanos);
    sorted.sort(null);
    int size = sorted.size();
    long first = sorted.get((int) Math.floor(STEADY_TRIM * size));
    long last = sorted.get(Math.max(0, (int) Math.ceil((1 - STEADY_TRIM) * size) - 1));
    if (last <= first) {
      throw new IllegalStateException(
          "the steady window is empty: the middle scores arrived at once; use more seconds");
    }
    long inWindow = sorted.stream().filter(time -> time > first && time <= last).count();
    return inWindow / ((last - first) / 1e9);
  }

  /** The scorer's batch and inference totals, from the service's own metrics. */
  private record BatcherCounters(long batches, double posts, double inferenceNanos) {
    static BatcherCounters of(MeterRegistry registry) {
      DistributionSummary sizes =
          registry.find("engagement.batcher.batch.size").tag("batcher", "scoring").summary();
      double inference = 0;
      for (Timer timer : registry.find("engagement.inference.time").timers()) {
        inference += timer.totalTime(TimeUnit.NANOSECONDS);
      }
      return sizes == null
          ? new BatcherCounters(0, 0, inference)
          : new BatcherCounters(sizes.count(), sizes.totalAmount(), inference);
    }

    BatcherCounters minus(BatcherCounters earlier) {
      return new BatcherCounters(
          batches - earlier.batches,
          posts - earlier.posts,
          inferenceNanos - earlier.inferenceNanos);
    }

    void print(double wallSeconds) {
      System.out.printf(
          "saturated: %d batches of %.1f posts on average; forward passes busy %.1f s of %.1f s"
              + " (%.0f%%)%n",
          batches,
          batches == 0 ? 0 : posts / batches,
          inferenceNanos / 1e9,
          wallSeconds,
          100 * inferenceNanos / 1e9 / wallSeconds);
    }
  }
}
