package io.engagementscorer.faults;

import io.engagementscorer.faults.FaultTimeline.Injected;
import io.engagementscorer.stream.StreamTestKit;
import io.engagementscorer.stream.serde.RestSchemaRegistryClient;
import io.engagementscorer.testing.ApicurioRegistry;
import io.engagementscorer.testing.KafkaBrokerProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection run ({@code ops/fault-run.sh}): a real broker in a process of its own on a
 * fixed log directory, the Apicurio registry, two instances of the service in processes of their
 * own, a {@link RecordingProducer}, SIGKILLs of instances and of the broker during production as
 * the plan says, a {@link ScoreWatcher} and a {@link ReadinessWatcher}, and at the end a lookup of
 * every post from both instances. Everything it started is stopped, also on failure; the report
 * goes to the log and to {@code report.txt} in the run's directory under {@code target/faults/},
 * beside the instances' and the broker's logs.
 */
public final class FaultInjectionRun {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectionRun.class);
  private static final String INPUT_TOPIC = "posts";
  private static final String OUTPUT_TOPIC = "engagement-scores";
  private static final Duration READY_DEADLINE = Duration.ofMinutes(3);
  private static final Pattern VERSION = Pattern.compile("\"post_version\"\\s*:\\s*(\\d+)");
  private static final List<String> LOG_SIGNALS =
      List.of(
          "TaskCorruptedException",
          "TaskMigratedException",
          "InvalidProducerEpochException",
          "ProducerFencedException",
          "CommitFailedException",
          "Restoration",
          "restoring");

  private final FaultPlan plan;
  private final Path runDirectory;

  FaultInjectionRun(FaultPlan plan, Path runDirectory) {
    this.plan = plan;
    this.runDirectory = runDirectory;
  }

  /**
   * Runs a plan and prints its report; exits with 0 when it passed, 1 when it did not.
   *
   * @param args the plan's name ({@code operators} or {@code quick}), then any {@code NAME=value}
   *     for both instances' environment, and {@code broker.NAME=value} for the broker's
   *     configuration
   */
  public static void main(String[] args) throws Exception {
    FaultPlan plan = FaultPlan.named(args.length > 0 ? args[0] : "operators");
    Map<String, String> service = new LinkedHashMap<>();
    Map<String, String> broker = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] pair = args[i].split("=", 2);
      if (pair.length != 2) {
        throw new IllegalArgumentException("expected NAME=value, got " + args[i]);
      }
      if (pair[0].startsWith("broker.")) {
        broker.put(pair[0].substring("broker.".length()), pair[1]);
      } else {
        service.put(pair[0], pair[1]);
      }
    }
    plan = plan.withServiceEnvironment(service).withBrokerConfig(broker);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    FaultReport report =
        new FaultInjectionRun(plan, Path.of("target", "faults", plan.name() + "-" + stamp)).run();
    System.out.println(report.summaryLine());
    System.exit(report.passed() ? 0 : 1);
  }

  /** Runs the plan and returns what it found. */
  FaultReport run() throws Exception {
    Files.createDirectories(runDirectory);
    LOG.info("Fault run {} in {}: {}", plan.name(), runDirectory, plan);
    List<AutoCloseable> started = new ArrayList<>();
    Thread stopOnExit = new Thread(() -> closeQuietly(started));
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      FaultReport report = run(started);
      Files.writeString(
          runDirectory.resolve("report.txt"), report.details(), StandardCharsets.UTF_8);
      LOG.info("Fault run report ({}):\n{}", runDirectory.resolve("report.txt"), report.details());
      return report;
    } finally {
      closeQuietly(started);
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    }
  }

  private FaultReport run(List<AutoCloseable> started) throws Exception {
    KafkaBrokerProcess broker = KafkaBrokerProcess.start(plan.brokerConfig());
    started.add(broker);
    broker.createTopic(INPUT_TOPIC, plan.partitions());
    ApicurioRegistry registry = ApicurioRegistry.start();
    started.add(registry);
    String imageUri = stageImage();

    Map<String, ServiceProcess> instances = new LinkedHashMap<>();
    for (String name : FaultPlan.INSTANCES) {
      // The port is chosen once: a restarted instance is the same member at the same address.
      int port = StreamTestKit.freePort();
      ServiceProcess instance =
          new ServiceProcess(
              name,
              port,
              instanceEnvironment(name, port, broker.bootstrapServers(), registry.url()),
              runDirectory.resolve(name + ".log"));
      // Started in order, so that the second joins a group the first already leads.
      instance.start();
      started.add(0, instance);
      instance.awaitReady(READY_DEADLINE);
      instances.put(name, instance);
    }
    for (ServiceProcess instance : instances.values()) {
      instance.awaitReady(READY_DEADLINE);
    }
    LOG.info("Both instances are ready");

    RestSchemaRegistryClient schemas =
        new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(10));
    EventLedger ledger = new EventLedger();
    ScoreWatcher scores = new ScoreWatcher(broker.bootstrapServers(), OUTPUT_TOPIC, schemas);
    ReadinessWatcher readiness = new ReadinessWatcher(List.copyOf(instances.values()));
    Thread scoreThread = daemon("score-watcher", scores);
    Thread readinessThread = daemon("readiness-watcher", readiness);
    started.add(0, scores);
    started.add(0, readiness);
    scoreThread.start();
    readinessThread.start();

    if (plan.preloadPosts() > 0) {
      preload(broker, schemas, imageUri, ledger, scores);
    }
    long start = System.currentTimeMillis();
    Thread producer =
        daemon(
            "recording-producer",
            new RecordingProducer(
                broker.bootstrapServers(), INPUT_TOPIC, plan, imageUri, schemas, ledger, start));
    producer.start();
    FaultTimeline timeline = inject(start, broker, instances);
    producer.join(plan.production().plus(Duration.ofMinutes(3)).toMillis());
    LOG.info(
        "Production done: {} of {} events acknowledged, {} failed",
        ledger.acknowledgedEvents(),
        plan.preloadPosts() + plan.events(),
        ledger.failedSends());

    Map<String, Long> finalVersions = ledger.finalVersions();
    boolean settled =
        scores.awaitSeen(seen -> everyFinalVersionSeen(seen, finalVersions), plan.settle());
    LOG.info("Every post's newest state scored: {}", settled);
    for (ServiceProcess instance : instances.values()) {
      instance.awaitReady(READY_DEADLINE);
    }
    Map<String, String> failedLookups =
        lookUpEveryPost(lookupSample(finalVersions), instances.values());
    scores.close();
    readiness.close();
    scoreThread.join(5_000);
    readinessThread.join(5_000);
    return new FaultReport(
        plan,
        ledger,
        scores.seen(),
        readiness.changes(),
        timeline.injected(),
        failedLookups,
        lookupSample(finalVersions).size() * instances.size(),
        logSignals(instances.values()));
  }

  /** Produces the preload posts and waits until they are all scored. */
  private void preload(
      KafkaBrokerProcess broker,
      RestSchemaRegistryClient schemas,
      String imageUri,
      EventLedger ledger,
      ScoreWatcher scores)
      throws InterruptedException {
    long start = System.nanoTime();
    new RecordingProducer(
            broker.bootstrapServers(), INPUT_TOPIC, plan, imageUri, schemas, ledger, 0)
        .preload();
    Map<String, Long> preloaded = ledger.finalVersions();
    if (!scores.awaitSeen(seen -> everyFinalVersionSeen(seen, preloaded), plan.settle())) {
      throw new IllegalStateException(
          "the "
              + plan.preloadPosts()
              + " preload posts were not all scored within "
              + plan.settle());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info(
        "Preloaded {} posts in {} s ({} posts/s)",
        plan.preloadPosts(),
        String.format(Locale.ROOT, "%.1f", seconds),
        String.format(Locale.ROOT, "%.0f", plan.preloadPosts() / seconds));
  }

  /** Injects the plan's faults on schedule, relative to {@code start}. */
  private FaultTimeline inject(
      long start, KafkaBrokerProcess broker, Map<String, ServiceProcess> instances)
      throws Exception {
    FaultTimeline timeline = new FaultTimeline();
    for (FaultPlan.Fault fault : plan.faults()) {
      long wait = start + fault.at().toMillis() - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      long killed = System.currentTimeMillis();
      LOG.info("Injecting: {}", fault);
      if (fault.target().equals(FaultPlan.BROKER)) {
        broker.kill();
        Thread.sleep(fault.down().toMillis());
        broker.restart();
      } else {
        ServiceProcess instance = instances.get(fault.target());
        instance.kill();
        Thread.sleep(fault.down().toMillis());
        instance.start();
      }
      long restarted = System.currentTimeMillis();
      LOG.info("{} is back after {} ms", fault.target(), restarted - killed);
      timeline.add(new Injected(fault, killed, restarted));
    }
    return timeline;
  }

  private Map<String, String> instanceEnvironment(
      String name, int port, String bootstrap, String registry) throws IOException {
    Map<String, String> env =
        new TreeMap<>(StreamTestKit.serviceEnvironment(port, bootstrap, registry));
    Path state = runDirectory.resolve("state-" + name);
    Files.createDirectories(state);
    env.put("STATE_DIR", state.toAbsolutePath().toString());
    env.put("APPLICATION_ID", "fault-run");
    env.put("IMAGE_FILE_ROOT", runDirectory.resolve("images").toAbsolutePath().toString());
    // Two instances share two cores with the broker, the registry and the run itself.
    env.put("INFERENCE_THREADS", "1");
    env.putAll(plan.serviceEnvironment());
    return env;
  }

  private String stageImage() throws IOException {
    Path images = Files.createDirectories(runDirectory.resolve("images"));
    Path image = images.resolve("post.png");
    Files.copy(Path.of("src/test/resources/images/landscape.png"), image);
    return "file://" + image.toAbsolutePath();
  }

  /** Every produced post, and every hundredth preloaded one. */
  private static Map<String, Long> lookupSample(Map<String, Long> finalVersions) {
    Map<String, Long> sample = new TreeMap<>();
    finalVersions.forEach(
        (post, version) -> {
          if (!post.startsWith("pre-") || Integer.parseInt(post.substring(4)) % 100 == 0) {
            sample.put(post, version);
          }
        });
    return sample;
  }

  private static boolean everyFinalVersionSeen(
      List<ScoreWatcher.SeenScore> seen, Map<String, Long> finalVersions) {
    Map<String, Long> newest = new TreeMap<>();
    seen.forEach(score -> newest.merge(score.postId(), score.version(), Math::max));
    return finalVersions.entrySet().stream()
        .allMatch(post -> newest.getOrDefault(post.getKey(), 0L) >= post.getValue());
  }

  /**
   * Asks every instance for every post; returns the lookups that did not answer its newest score.
   */
  private static Map<String, String> lookUpEveryPost(
      Map<String, Long> finalVersions, Iterable<ServiceProcess> instances) throws Exception {
    Map<String, String> failed = new TreeMap<>();
    for (ServiceProcess instance : instances) {
      for (Map.Entry<String, Long> post : finalVersions.entrySet()) {
        HttpResponse<String> response = instance.get("/api/v1/scores/" + post.getKey());
        Matcher version = VERSION.matcher(response.body());
        if (response.statusCode() != 200
            || !version.find()
            || Long.parseLong(version.group(1)) != post.getValue()) {
          failed.put(
              post.getKey() + " from " + instance.name(),
              response.statusCode() + " " + abbreviate(response.body()));
        }
      }
    }
    return failed;
  }

  private static Map<String, Map<String, Long>> logSignals(Iterable<ServiceProcess> instances)
      throws IOException {
    Map<String, Map<String, Long>> signals = new TreeMap<>();
    for (ServiceProcess instance : instances) {
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String signal : LOG_SIGNALS) {
        counts.put(signal, instance.logLinesContaining(signal));
      }
      signals.put(instance.name(), counts);
    }
    return signals;
  }

  private static String abbreviate(String body) {
    return body.length() > 120 ? body.substring(0, 120) + "..." : body;
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(List<AutoCloseable> started) {
    synchronized (started) {
      for (AutoCloseable resource : List.copyOf(started)) {
        try {
          resource.close();
        } catch (Exception e) {
          LOG.warn("Stopping {} failed", resource, e);
        }
      }
      started.clear();
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "fault run %s in %s", plan.name(), runDirectory);
  }
}
