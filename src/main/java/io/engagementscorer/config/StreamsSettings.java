package io.engagementscorer.config;

import io.engagementscorer.fetch.FetchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the Kafka Streams side runs. Present only when {@code KAFKA_BOOTSTRAP_SERVERS} is set;
 * without it the service answers HTTP only.
 *
 * @param bootstrapServers Kafka brokers ({@code KAFKA_BOOTSTRAP_SERVERS})
 * @param applicationId the Kafka Streams application id; instances sharing it share the input
 *     partitions ({@code APPLICATION_ID})
 * @param inputTopic post events ({@code INPUT_TOPIC})
 * @param outputTopic scores ({@code OUTPUT_TOPIC})
 * @param deadLetterTopic records that cannot be decoded or scored ({@code DEAD_LETTER_TOPIC})
 * @param inputFormat {@code avro} (Confluent wire format), {@code json}, or {@code auto} (either,
 *     told apart by the first byte) ({@code INPUT_FORMAT})
 * @param schemaRegistryUrl Confluent-API schema registry, or {@code mock://scope} in tests ({@code
 *     SCHEMA_REGISTRY_URL})
 * @param schemaRegistryUserInfo {@code user:password} for basic auth, or null ({@code
 *     SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO})
 * @param autoRegisterSchemas register the output schemas on first use ({@code
 *     AUTO_REGISTER_SCHEMAS})
 * @param processingGuarantee {@link #EXACTLY_ONCE_V2} or {@link #AT_LEAST_ONCE} ({@code
 *     PROCESSING_GUARANTEE})
 * @param stateDir where state stores live ({@code STATE_DIR})
 * @param applicationServer {@code host:port} other instances reach this one's HTTP API on, for
 *     interactive queries ({@code APPLICATION_SERVER})
 * @param streamThreads stream threads ({@code NUM_STREAM_THREADS})
 * @param preparationThreads threads that fetch, decode and tokenize the stream's posts for scoring,
 *     or {@link #PREPARATION_THREADS_PER_CORE} for one per available core ({@code
 *     PREPARATION_THREADS})
 * @param commitInterval how often offsets and transactions commit ({@code COMMIT_INTERVAL_MS})
 * @param transactionTimeout the producer transaction timeout under exactly-once ({@code
 *     TRANSACTION_TIMEOUT_MS})
 * @param maxPollInterval the consumer's {@code max.poll.interval.ms} ({@code MAX_POLL_INTERVAL_MS})
 * @param replicationFactor replication of internal topics, -1 for the broker default ({@code
 *     REPLICATION_FACTOR})
 * @param startupTimeout how long start-up waits for the streams to run ({@code
 *     STREAMS_STARTUP_TIMEOUT_MS})
 * @param imageFetch how images referenced by URI are fetched
 * @param extraProperties any other Kafka Streams, consumer or producer property, from variables
 *     {@code KAFKA_STREAMS_<NAME>}: lower-cased, {@code _} becomes {@code .}, so {@code
 *     KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS} sets {@code consumer.session.timeout.ms}
 */
public record StreamsSettings(
    String bootstrapServers,
    String applicationId,
    String inputTopic,
    String outputTopic,
    String deadLetterTopic,
    String inputFormat,
    String schemaRegistryUrl,
    String schemaRegistryUserInfo,
    boolean autoRegisterSchemas,
    String processingGuarantee,
    Path stateDir,
    String applicationServer,
    int streamThreads,
    int preparationThreads,
    Duration commitInterval,
    Duration transactionTimeout,
    Duration maxPollInterval,
    int replicationFactor,
    Duration startupTimeout,
    FetchSettings imageFetch,
    Map<String, String> extraProperties) {

  /** The prefix of variables passed through as Kafka Streams properties. */
  public static final String PROPERTY_PREFIX = "KAFKA_STREAMS_";

  /** Input in the Confluent wire format. */
  public static final String INPUT_FORMAT_AVRO = "avro";

  /** Input as JSON post events. */
  public static final String INPUT_FORMAT_JSON = "json";

  /** Either input format, told apart by the first byte. */
  public static final String INPUT_FORMAT_AUTO = "auto";

  /** Kafka Streams' exactly-once processing (its {@code processing.guarantee} value). */
  public static final String EXACTLY_ONCE_V2 = "exactly_once_v2";

  /** Kafka Streams' at-least-once processing (its {@code processing.guarantee} value). */
  public static final String AT_LEAST_ONCE = "at_least_once";

  public static final String DEFAULT_APPLICATION_ID = "engagement-scorer";
  public static final String DEFAULT_INPUT_TOPIC = "posts";
  public static final String DEFAULT_OUTPUT_TOPIC = "engagement-scores";
  public static final String DEFAULT_DEAD_LETTER_TOPIC = "posts-dlq";
  public static final String DEFAULT_INPUT_FORMAT = INPUT_FORMAT_AVRO;
  public static final boolean DEFAULT_AUTO_REGISTER_SCHEMAS = true;
  public static final String DEFAULT_PROCESSING_GUARANTEE = EXACTLY_ONCE_V2;

  /** The folder under the JVM's temporary directory that holds the state when no STATE_DIR. */
  public static final String DEFAULT_STATE_DIR_NAME = "engagement-scorer-state";

  public static final int DEFAULT_NUM_STREAM_THREADS = 1;

  /** {@code PREPARATION_THREADS} for one preparation thread per available core. */
  public static final int PREPARATION_THREADS_PER_CORE = 0;

  public static final int DEFAULT_PREPARATION_THREADS = PREPARATION_THREADS_PER_CORE;

  /** The most preparation threads: beyond this, threads only add contention. */
  public static final int MAX_PREPARATION_THREADS = 256;

  public static final int DEFAULT_COMMIT_INTERVAL_MS = 100;
  public static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 90_000;
  public static final int DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

  /** Kafka's value for the broker's default replication factor. */
  public static final int DEFAULT_REPLICATION_FACTOR = -1;

  public static final int DEFAULT_STREAMS_STARTUP_TIMEOUT_MS = 60_000;

  static final Set<String> INPUT_FORMATS =
      Set.of(INPUT_FORMAT_AVRO, INPUT_FORMAT_JSON, INPUT_FORMAT_AUTO);
  static final Set<String> GUARANTEES = Set.of(EXACTLY_ONCE_V2, AT_LEAST_ONCE);

  /** Whether records are processed exactly once. */
  public boolean exactlyOnce() {
    return EXACTLY_ONCE_V2.equals(processingGuarantee);
  }

  /**
   * The size of the stream's preparation pool: {@link #preparationThreads()}, or the number of
   * cores the JVM sees when that is {@link #PREPARATION_THREADS_PER_CORE}.
   */
  public int preparationPoolSize(int availableProcessors) {
    return preparationThreads == PREPARATION_THREADS_PER_CORE
        ? availableProcessors
        : preparationThreads;
  }

  static StreamsSettings fromEnv(EnvironmentReader read, int httpPort, long maxImageBytes) {
    String bootstrap = read.string("KAFKA_BOOTSTRAP_SERVERS", null);
    if (bootstrap == null) {
      return null;
    }
    String applicationId = read.string("APPLICATION_ID", DEFAULT_APPLICATION_ID);
    String registry = read.string("SCHEMA_REGISTRY_URL", null);
    String format = read.choice("INPUT_FORMAT", DEFAULT_INPUT_FORMAT, INPUT_FORMATS);
    if (registry == null) {
      throw new ConfigException(
          "SCHEMA_REGISTRY_URL is required when KAFKA_BOOTSTRAP_SERVERS is set: scores are"
              + " written as Avro in the Confluent wire format");
    }
    return new StreamsSettings(
        bootstrap,
        applicationId,
        read.string("INPUT_TOPIC", DEFAULT_INPUT_TOPIC),
        read.string("OUTPUT_TOPIC", DEFAULT_OUTPUT_TOPIC),
        read.string("DEAD_LETTER_TOPIC", DEFAULT_DEAD_LETTER_TOPIC),
        format,
        registry,
        read.string("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", null),
        read.bool("AUTO_REGISTER_SCHEMAS", DEFAULT_AUTO_REGISTER_SCHEMAS),
        read.choice("PROCESSING_GUARANTEE", DEFAULT_PROCESSING_GUARANTEE, GUARANTEES),
        Path.of(
            read.string(
                "STATE_DIR",
                Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_STATE_DIR_NAME).toString())),
        read.string("APPLICATION_SERVER", "localhost:" + httpPort),
        read.integer("NUM_STREAM_THREADS", DEFAULT_NUM_STREAM_THREADS, 1, 64),
        read.integer(
            "PREPARATION_THREADS",
            DEFAULT_PREPARATION_THREADS,
            PREPARATION_THREADS_PER_CORE,
            MAX_PREPARATION_THREADS),
        Duration.ofMillis(
            read.integer("COMMIT_INTERVAL_MS", DEFAULT_COMMIT_INTERVAL_MS, 1, 600_000)),
        Duration.ofMillis(
            read.integer("TRANSACTION_TIMEOUT_MS", DEFAULT_TRANSACTION_TIMEOUT_MS, 1_000, 900_000)),
        Duration.ofMillis(
            read.integer(
                "MAX_POLL_INTERVAL_MS", DEFAULT_MAX_POLL_INTERVAL_MS, 1_000, Integer.MAX_VALUE)),
        read.integer("REPLICATION_FACTOR", DEFAULT_REPLICATION_FACTOR, -1, 32),
        Duration.ofMillis(
            read.integer(
                "STREAMS_STARTUP_TIMEOUT_MS",
                DEFAULT_STREAMS_STARTUP_TIMEOUT_MS,
                1_000,
                3_600_000)),
        FetchSettingsReader.read(read, maxImageBytes),
        read.withPrefix(PROPERTY_PREFIX).entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    entry -> entry.getKey().toLowerCase(Locale.ROOT).replace('_', '.'),
                    Map.Entry::getValue)));
  }
}
