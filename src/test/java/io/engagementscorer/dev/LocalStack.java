package io.engagementscorer.dev;

import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.DotEnvFile;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.RestSchemaRegistryClient;
import io.engagementscorer.testing.ApicurioRegistry;
import io.engagementscorer.testing.EmbeddedKafka;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole system on this machine, for a first look: a real single-node KRaft broker, the Apicurio
 * schema registry (Confluent API), the service with the bundled model, a demo producer of sample
 * posts, and a console view of the scores as they arrive. Ctrl-C stops everything. Run with {@code
 * ops/local-stack.sh}; the environment and {@code .env} still configure the service.
 */
public final class LocalStack {
  private static final String INPUT = "posts";
  private static final String OUTPUT = "engagement-scores";

  private LocalStack() {}

  // The screen; System.out and System.err go to the log file with the broker's own prints.
  private static final PrintStream CONSOLE = System.out;

  /** Starts the stack and runs until interrupted. */
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path log = Path.of(System.getProperty("local.stack.log", "target/local-stack/local-stack.log"));
    Files.createDirectories(log.toAbsolutePath().getParent());
    PrintStream logStream =
        new PrintStream(
            new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8.name());
    System.setOut(logStream);
    System.setErr(logStream);
    try {
      run(log);
    } catch (Exception e) {
      say("The local stack failed to start: " + e.getMessage());
      say("Full logs: " + log.toAbsolutePath());
      e.printStackTrace(logStream);
      System.exit(1);
    }
  }

  private static void run(Path log) throws Exception {
    say("Full logs: " + log.toAbsolutePath());
    say("Starting a local Kafka broker (KRaft, in this JVM)...");
    EmbeddedKafka kafka = EmbeddedKafka.start();
    kafka.createTopic(INPUT, 4);
    say("Starting the Apicurio schema registry (Confluent API)...");
    ApicurioRegistry registry = ApicurioRegistry.start();
    Path state = Files.createTempDirectory("engagement-local-state");
    Map<String, String> env = new HashMap<>(DotEnvFile.overlay(Path.of(".env"), System.getenv()));
    env.putIfAbsent("HOST", "127.0.0.1");
    env.putIfAbsent("PORT", "8000");
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", registry.url());
    env.put("INPUT_FORMAT", "auto");
    env.put("STATE_DIR", state.toString());
    env.putIfAbsent("APPLICATION_SERVER", "localhost:" + env.get("PORT"));
    env.putIfAbsent("BATCH_MAX_DELAY_MS", "200");
    say("Starting the engagement scorer (model, self-check, stream, HTTP)...");
    Application application = Application.start(ServiceConfig.fromEnv(env));

    RestSchemaRegistryClient schemas =
        new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(10));
    KafkaProducer<String, byte[]> producer = producer(kafka);
    ConfluentAvroSerializer<PostEvent> serializer =
        new ConfluentAvroSerializer<>(schemas, PostEvent.class, true, false);
    DemoProducer demo =
        new DemoProducer(
            event ->
                producer.send(
                    new ProducerRecord<>(
                        INPUT, event.getPostId(), serializer.serialize(INPUT, event))),
            20,
            1_500);
    Thread demoThread = new Thread(demo, "demo-producer");
    CountDownLatch stopped = new CountDownLatch(1);
    Thread watcher = new Thread(() -> printScores(kafka, schemas, stopped), "score-watcher");
    printWelcome(application, kafka, registry);
    demoThread.start();
    watcher.start();

    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  say("Stopping...");
                  demo.stop();
                  stopped.countDown();
                  joinQuietly(demoThread);
                  joinQuietly(watcher);
                  producer.close(Duration.ofSeconds(5));
                  application.close();
                  registry.close();
                  kafka.close();
                  say("Stopped.");
                },
                "local-stack-shutdown"));
    stopped.await();
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static void printScores(
      EmbeddedKafka kafka, RestSchemaRegistryClient schemas, CountDownLatch stopped) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "local-stack-console");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, EngagementScore> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ConfluentAvroDeserializer<>(schemas, EngagementScore.class))) {
      consumer.subscribe(List.of(OUTPUT));
      while (stopped.getCount() > 0) {
        for (ConsumerRecord<String, EngagementScore> record :
            consumer.poll(Duration.ofMillis(500))) {
          EngagementScore score = record.value();
          say(
              String.format(
                  Locale.ROOT,
                  "score  %-8s v%-3d engagement %.4f  sentiment %.3f  comments %-3d \"%s\"",
                  score.getPostId(),
                  score.getPostVersion(),
                  score.getEngagementScore(),
                  score.getSentimentScore(),
                  score.getCommentCount(),
                  abbreviate(score.getCleanedText())));
        }
      }
    }
  }

  private static void printWelcome(
      Application application, EmbeddedKafka kafka, ApicurioRegistry registry) {
    String http = "http://localhost:" + application.port();
    say("");
    say("Engagement scorer is running. Scores appear below as the demo producer publishes posts.");
    say("  HTTP API      POST " + http + "/api/v1/predict");
    say("  latest score  GET  " + http + "/api/v1/scores/demo-0");
    say("  docs          " + http + "/docs      metrics  " + http + "/metrics");
    say(
        "  Kafka         "
            + kafka.bootstrapServers()
            + "  topics: posts -> engagement-scores, posts-dlq");
    say("  registry      " + registry.url());
    say("Publish your own post as JSON with any Kafka client, key = post id, e.g.");
    say("  kcat -b " + kafka.bootstrapServers() + " -t posts -K: -P <<'EOF'");
    say(
        "  my-post:{\"post_id\": \"my-post\", \"text\": \"Hello #world\", \"comments\": [{\"comment_id\": \"c1\", \"text\": \"Nice!\"}]}");
    say("  EOF");
    say("Ctrl-C stops everything.");
    say("");
  }

  private static String abbreviate(String text) {
    return text.length() <= 48 ? text : text.substring(0, 45) + "...";
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The console is this launcher's user interface; the service itself logs through SLF4J.
  private static void say(String line) {
    CONSOLE.println(line);
  }
}
