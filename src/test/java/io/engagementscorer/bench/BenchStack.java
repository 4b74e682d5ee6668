package io.engagementscorer.bench;

import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.stream.serde.ConfluentAvroDeserializer;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.RestSchemaRegistryClient;
import io.engagementscorer.testing.ApicurioRegistry;
import io.engagementscorer.testing.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the stream benchmarks run on, in this JVM: a KRaft broker, the Apicurio registry (a child
 * JVM), the service on a bundle, a producer of post events and a reader of the scores topic.
 * Started in that order, closed in reverse, the service's state deleted.
 */
final class BenchStack implements AutoCloseable {
  static final String INPUT = "posts";
  static final String OUTPUT = "engagement-scores";
  private static final Duration STALL_LIMIT = Duration.ofSeconds(60);

  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedKafka kafka;
  private Application application;
  private Path stateDir;
  private KafkaProducer<String, byte[]> producer;
  private ConfluentAvroSerializer<PostEvent> serializer;
  private ScoreReader scores;

  private BenchStack() {}

  /**
   * Starts everything; the service runs on {@code bundleDir} with {@code env} over the stack's own
   * settings, reading an input topic of {@code partitions} partitions.
   */
  static BenchStack start(Path bundleDir, Map<String, String> env, int partitions)
      throws Exception {
    BenchStack stack = new BenchStack();
    try {
      stack.startAll(bundleDir, env, partitions);
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(Path bundleDir, Map<String, String> settings, int partitions)
      throws Exception {
    kafka = EmbeddedKafka.start();
    started.add(kafka);
    kafka.createTopic(INPUT, partitions);
    ApicurioRegistry registry = ApicurioRegistry.start();
    started.add(registry);
    stateDir = Files.createTempDirectory("stream-bench-state");
    int port = freePort();
    Map<String, String> env = new HashMap<>(settings);
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(port));
    env.put("MODEL_DIR", bundleDir.toString());
    env.put("LOG_LEVEL", "warning");
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", registry.url());
    env.put("STATE_DIR", stateDir.toString());
    env.put("APPLICATION_SERVER", "127.0.0.1:" + port);
    application = Application.start(ServiceConfig.fromEnv(env));
    started.add(application);
    RestSchemaRegistryClient schemas =
        new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(10));
    serializer = new ConfluentAvroSerializer<>(schemas, PostEvent.class, true, false);
    producer = producer(kafka);
    started.add(() -> producer.close(Duration.ofSeconds(10)));
    scores = ScoreReader.start(kafka, schemas);
    started.add(scores);
  }

  /** The service. */
  Application application() {
    return application;
  }

  /** The scores read so far. */
  ScoreReader scores() {
    return scores;
  }

  /** Publishes {@code event}, keyed by its post id; returns when it was handed to the producer. */
  long send(PostEvent event) {
    byte[] value = serializer.serialize(INPUT, event);
    long sent = System.nanoTime();
    producer.send(new ProducerRecord<>(INPUT, event.getPostId(), value));
    return sent;
  }

  /** Sends what the producer buffered. */
  void flush() {
    producer.flush();
  }

  /** The end offset of every changelog topic partition of the service now. */
  Map<TopicPartition, Long> changelogEnds() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    List<String> changelogs;
    try (Admin admin = Admin.create(props)) {
      changelogs =
          admin.listTopics().names().get().stream()
              .filter(name -> name.endsWith("-changelog"))
              .sorted()
              .toList();
    }
    try (KafkaConsumer<byte[], byte[]> consumer = bytesConsumer()) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : changelogs) {
        consumer
            .partitionsFor(topic)
            .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
      }
      return new HashMap<>(consumer.endOffsets(partitions));
    }
  }

  /**
   * Bytes (keys, values and headers) written to each changelog topic since {@code ends}, committed
   * records only, by topic.
   */
  Map<String, Long> changelogBytesSince(Map<TopicPartition, Long> ends) throws Exception {
    Map<TopicPartition, Long> now = changelogEnds();
    Map<String, Long> bytes = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = bytesConsumer()) {
      for (Map.Entry<TopicPartition, Long> entry : now.entrySet()) {
        TopicPartition partition = entry.getKey();
        long from = ends.getOrDefault(partition, 0L);
        bytes.putIfAbsent(partition.topic(), 0L);
        if (entry.getValue() <= from) {
          continue;
        }
        consumer.assign(List.of(partition));
        consumer.seek(partition, from);
        while (consumer.position(partition) < entry.getValue()) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            long size =
                (record.key() == null ? 0 : record.key().length)
                    + (record.value() == null ? 0 : record.value().length);
            for (Header header : record.headers()) {
              size += header.key().length() + (header.value() == null ? 0 : header.value().length);
            }
            bytes.merge(partition.topic(), size, Long::sum);
          }
        }
      }
    }
    return bytes;
  }

  private KafkaConsumer<byte[], byte[]> bytesConsumer() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Closes what started, newest first, then deletes the service's state. */
  @Override
  public void close() {
    for (int index = started.size() - 1; index >= 0; index--) {
      try {
        started.get(index).close();
      } catch (Exception e) {
        System.out.printf("stopping %s failed: %s%n", started.get(index), e);
      }
    }
    if (stateDir != null) {
      deleteTree(stateDir);
    }
  }

  /**
   * Reads the scores topic from the beginning, read_committed, on its own thread, and keeps when
   * each post's first score and each scored version's first score arrived (this JVM's {@link
   * System#nanoTime()}).
   */
  static final class ScoreReader implements AutoCloseable {
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Map<String, Long> versionArrivals = new ConcurrentHashMap<>();
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    private ScoreReader(EmbeddedKafka kafka, RestSchemaRegistryClient schemas) {
      thread = new Thread(() -> read(kafka, schemas), "score-reader");
    }

    static ScoreReader start(EmbeddedKafka kafka, RestSchemaRegistryClient schemas)
        throws InterruptedException {
      ScoreReader reader = new ScoreReader(kafka, schemas);
      reader.thread.start();
      if (!reader.assigned.await(60, TimeUnit.SECONDS)) {
        reader.close();
        throw new IllegalStateException("the score reader found no " + OUTPUT + " partitions");
      }
      return reader;
    }

    private void read(EmbeddedKafka kafka, RestSchemaRegistryClient schemas) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (KafkaConsumer<String, EngagementScore> consumer =
          new KafkaConsumer<>(
              props,
              new StringDeserializer(),
              new ConfluentAvroDeserializer<>(schemas, EngagementScore.class))) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(OUTPUT).stream()
                .map(info -> new TopicPartition(OUTPUT, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        assigned.countDown();
        while (running) {
          for (ConsumerRecord<String, EngagementScore> record :
              consumer.poll(Duration.ofMillis(100))) {
            long now = System.nanoTime();
            EngagementScore score = record.value();
            arrivals.putIfAbsent(score.getPostId(), now);
            versionArrivals.putIfAbsent(score.getPostId() + "@" + score.getPostVersion(), now);
          }
        }
      }
    }

    /** When the first score of {@code postId} at {@code version} arrived, or null. */
    Long arrivalOf(String postId, long version) {
      return versionArrivals.get(postId + "@" + version);
    }

    /**
     * The arrival times of {@code postIds}' first scores, in the same order, once all have arrived.
     *
     * @throws IllegalStateException when no new score came for {@link #STALL_LIMIT} or the deadline
     *     passed
     */
    List<Long> awaitAll(List<String> postIds, Duration deadline) {
      return await(postIds, arrivals, deadline, STALL_LIMIT);
    }

    /**
     * Like {@link #awaitAll}, for work that gives no score for longer than {@link #STALL_LIMIT} (a
     * batch of large posts scored from scratch): only the deadline bounds the wait.
     */
    List<Long> awaitAllPatiently(List<String> postIds, Duration deadline) {
      return await(postIds, arrivals, deadline, deadline);
    }

    /** Like {@link #awaitAll}, for scores of given versions: keys {@code postId@version}. */
    List<Long> awaitVersions(List<String> postVersions, Duration deadline) {
      return await(postVersions, versionArrivals, deadline, STALL_LIMIT);
    }

    private List<Long> await(
        List<String> keys, Map<String, Long> arrived, Duration deadline, Duration stallLimit) {
      long start = System.nanoTime();
      long end = start + deadline.toNanos();
      int seen = -1;
      long progressAt = start;
      while (true) {
        int now = (int) keys.stream().filter(arrived::containsKey).count();
        if (now == keys.size()) {
          return keys.stream().map(arrived::get).toList();
        }
        long time = System.nanoTime();
        if (now != seen) {
          seen = now;
          progressAt = time;
        }
        if (time > end || time - progressAt > stallLimit.toNanos() || !thread.isAlive()) {
          throw new IllegalStateException(
              String.format(
                  "%d of %d scores arrived after %.0f s; the scores %s",
                  now,
                  keys.size(),
                  (time - start) / 1e9,
                  thread.isAlive() ? "stopped coming or ran past the deadline" : "reader died"));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for the service", e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.out.printf("could not delete %s: %s%n", root, e);
    }
  }
}
