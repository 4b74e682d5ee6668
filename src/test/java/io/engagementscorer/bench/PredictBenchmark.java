package io.engagementscorer.bench;

import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures, in one run on one bundle: the model ceiling (sentiment + regressor forward passes on
 * ready tensors at batch sizes 1, 8 and 32, for posts with {@value ModelCeiling#COMMENTS} comments
 * each), then HTTP {@code /predict} throughput and latency at concurrency 1, 8 and 32 for such
 * posts with a 320x240 PNG, {@value #DISTINCT_POSTS} distinct ones in turn, through the whole
 * service in this JVM. Prints a Markdown table and the ratio of HTTP throughput at concurrency 32
 * to the best ceiling.
 *
 * <p>Run with {@code ops/bench.sh [bundle-dir] [seconds-per-measurement]}.
 */
public final class PredictBenchmark {
  private static final int[] BATCH_SIZES = {1, 8, 32};
  private static final int[] CONCURRENCY = {1, 8, 32};
  private static final int DISTINCT_POSTS = 256;

  private PredictBenchmark() {}

  /** Arguments: bundle directory (default models/tiny), seconds per measurement (default 10). */
  public static void main(String[] args) throws Exception {
    Path bundleDir = Path.of(args.length > 0 ? args[0] : "models/tiny");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    System.out.printf(
        "Benchmark of %s, %.0f s per measurement, %d CPU cores, %s %s%n",
        bundleDir,
        seconds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"),
        System.getProperty("java.version"));
    double[] ceiling = ModelCeiling.medianBatchMillis(bundleDir, BATCH_SIZES, seconds);
    List<double[]> http = measureHttp(bundleDir, seconds);
    System.out.println();
    System.out.println("| measurement | batch / concurrency | posts/s | p50 ms | p99 ms |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (int index = 0; index < BATCH_SIZES.length; index++) {
      System.out.printf(
          "| model ceiling (ready tensors) | batch %d | %.1f | %.1f | - |%n",
          BATCH_SIZES[index],
          ModelCeiling.postsPerSecond(BATCH_SIZES[index], ceiling[index]),
          ceiling[index]);
    }
    for (int index = 0; index < CONCURRENCY.length; index++) {
      double[] row = http.get(index);
      System.out.printf(
          "| HTTP /api/v1/predict | concurrency %d | %.1f | %.1f | %.1f |%n",
          CONCURRENCY[index], row[0], row[1], row[2]);
    }
    double bestCeiling = 0;
    for (int index = 0; index < BATCH_SIZES.length; index++) {
      bestCeiling =
          Math.max(bestCeiling, ModelCeiling.postsPerSecond(BATCH_SIZES[index], ceiling[index]));
    }
    double atThirtyTwo = http.get(CONCURRENCY.length - 1)[0];
    System.out.printf(
        "%nHTTP at concurrency 32 / best ceiling: %.1f / %.1f posts/s = %.0f%%%n",
        atThirtyTwo, bestCeiling, 100 * atThirtyTwo / bestCeiling);
  }

  /** For each concurrency: posts/s, p50 ms, p99 ms. */
  private static List<double[]> measureHttp(Path bundleDir, double seconds) throws Exception {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "HOST", "127.0.0.1",
                "PORT", "0",
                "MODEL_DIR", bundleDir.toString(),
                "BATCH_MAX_SIZE", "32",
                "BATCH_QUEUE_CAPACITY", "1024",
                "SCORING_TIMEOUT_MS", "600000",
                // 256 posts in turn: cached features would turn each into a hit after one turn.
                "FEATURE_CACHE_MB", "0",
                "LOG_LEVEL", "warning"));
    // ops/precision-bench.sh lowers the floor to measure variants the service would refuse.
    String floor = System.getenv("MIN_RANK_CORRELATION");
    if (floor != null) {
      env.put("MIN_RANK_CORRELATION", floor);
    }
    List<double[]> rows = new ArrayList<>();
    try (Application application = Application.start(ServiceConfig.fromEnv(env))) {
      URI predict = URI.create("http://127.0.0.1:" + application.port() + "/api/v1/predict");
      List<String> bodies = requestBodies();
      for (int concurrency : CONCURRENCY) {
        runLoad(predict, bodies, concurrency, Math.min(seconds, 3));
        double[] row = runLoad(predict, bodies, concurrency, seconds);
        System.out.printf(
            "HTTP concurrency %d: %.1f posts/s, p50 %.1f ms, p99 %.1f ms%n",
            concurrency, row[0], row[1], row[2]);
        rows.add(row);
      }
    }
    return rows;
  }

  private static double[] runLoad(URI predict, List<String> bodies, int concurrency, double seconds)
      throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<HttpRequest> requests =
        bodies.stream()
            .map(
                body ->
                    HttpRequest.newBuilder(predict)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build())
            .toList();
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    for (int thread = 0; thread < concurrency; thread++) {
      new Thread(
              () -> {
                try {
                  while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    HttpRequest request =
                        requests.get(Math.floorMod(next.getAndIncrement(), requests.size()));
                    int status =
                        client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200) {
                      latencies.add((System.nanoTime() - sent) / 1e6);
                    } else {
                      failures.add(status);
                    }
                  }
                } catch (IOException | InterruptedException e) {
                  failures.add(-1);
                } finally {
                  done.countDown();
                }
              },
              "load-" + thread)
          .start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!failures.isEmpty()) {
      System.out.printf("  %d requests failed: %s%n", failures.size(), failures);
    }
    List<Double> sorted = new ArrayList<>(latencies);
    return new double[] {
      sorted.size() / elapsed,
      ModelCeiling.percentile(sorted, 50),
      ModelCeiling.percentile(sorted, 99)
    };
  }

  /**
   * {@value #DISTINCT_POSTS} posts that differ in text, image and comments, sent in turn: a batch
   * encodes each distinct content once, so one post sent again and again would measure that, not
   * the model.
   */
  private static List<String> requestBodies() throws IOException {
    List<String> bodies = new ArrayList<>();
    for (int post = 1; post <= DISTINCT_POSTS; post++) {
      StringBuilder comments = new StringBuilder();
      for (String comment : ModelCeiling.COMMENT_TEXTS) {
        comments
            .append(comments.length() == 0 ? "" : ", ")
            .append('"')
            .append(comment)
            .append(' ')
            .append(post)
            .append('"');
      }
      bodies.add(
          "{\"raw_text\": \""
              + ModelCeiling.TEXT
              + " "
              + post
              + "\", \"image_base64\": \""
              + Base64.getEncoder().encodeToString(ModelCeiling.samplePng(post))
              + "\", \"comments\": ["
              + comments
              + "]}");
    }
    return bodies;
  }
}
