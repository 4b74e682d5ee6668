package io.engagementscorer.config;

import io.engagementscorer.fetch.FetchSettings;
import io.engagementscorer.s3.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Everything the service is configured with. Built once from the environment ({@link
 * #fromEnv(Map)}); the original Python service's variable names and defaults are kept, and the
 * names this service adds are listed in {@code docs/configuration.md} (ConfigurationReferenceTest
 * keeps the page and this code in step).
 *
 * @param host interface the HTTP server binds ({@code HOST})
 * @param port HTTP port ({@code PORT})
 * @param logLevel root log level: trace, debug, info, warning, error or critical ({@code
 *     LOG_LEVEL})
 * @param useLora whether the bundle must carry a LoRA fine-tune ({@code USE_LORA})
 * @param loraRank the LoRA rank the bundle must have been trained with ({@code LORA_RANK})
 * @param forceCpu run on the CPU even when a GPU is present ({@code FORCE_CPU})
 * @param modelSource where the model comes from and how it is kept current
 * @param s3 how S3 is reached, for the model and for image references alike
 * @param maxTextLength longest accepted post text, in characters ({@code MAX_TEXT_LENGTH_REQUEST})
 * @param maxComments most comments accepted per post ({@code MAX_COMMENTS})
 * @param maxCommentLength longest accepted comment, in characters ({@code MAX_COMMENT_LENGTH})
 * @param maxRequestBytes largest accepted HTTP body ({@code MAX_REQUEST_BYTES})
 * @param maxImageBytes largest accepted image after base64 decoding ({@code MAX_IMAGE_BYTES})
 * @param maxImagePixels largest accepted image area, checked from its header ({@code
 *     MAX_IMAGE_PIXELS})
 * @param batchMaxSize most posts per inference batch ({@code BATCH_MAX_SIZE})
 * @param batchMaxDelay longest a post waits for its batch to fill ({@code BATCH_MAX_DELAY_MS})
 * @param batchQueueCapacity HTTP requests that may wait for inference before new ones are refused
 *     ({@code BATCH_QUEUE_CAPACITY})
 * @param streamQueueCapacity live stream posts that may wait for inference ({@code
 *     STREAM_QUEUE_CAPACITY})
 * @param backgroundQueueCapacity posts that may wait in each background lane, re-scoring and the
 *     candidate's ({@code BACKGROUND_QUEUE_CAPACITY})
 * @param scoringTimeout longest a caller waits for its score ({@code SCORING_TIMEOUT_MS})
 * @param inferenceWorkers threads running batches, each with its own predictors ({@code
 *     INFERENCE_WORKERS})
 * @param inferenceThreads PyTorch intra-op threads, 0 for PyTorch's default ({@code
 *     INFERENCE_THREADS})
 * @param sentimentBatchSize most comments per sentiment forward pass ({@code SENTIMENT_BATCH_SIZE})
 * @param featureCacheMegabytes the bound of the feature caches (image, text and comment features
 *     reused by content), in MiB; 0 turns all reuse off, the stream's kept features included
 *     ({@code FEATURE_CACHE_MB})
 * @param retryAfterSeconds the {@code Retry-After} an overloaded service answers with ({@code
 *     RETRY_AFTER_SECONDS})
 * @param selfCheckRawTolerance how far the engagement score computed from a reference case's raw
 *     inputs may be from Python's ({@code SELF_CHECK_RAW_TOLERANCE})
 * @param minRankCorrelation the least rank correlation with the fp32 bundle of the same weights
 *     that a reduced-precision bundle must declare to be served ({@code MIN_RANK_CORRELATION})
 * @param rollout the candidate model and re-scoring on a model change
 * @param streams the Kafka Streams side, or null when {@code KAFKA_BOOTSTRAP_SERVERS} is unset
 */
public record ServiceConfig(
    String host,
    int port,
    String logLevel,
    boolean useLora,
    int loraRank,
    boolean forceCpu,
    ModelSourceConfig modelSource,
    S3Settings s3,
    int maxTextLength,
    int maxComments,
    int maxCommentLength,
    long maxRequestBytes,
    long maxImageBytes,
    long maxImagePixels,
    int batchMaxSize,
    Duration batchMaxDelay,
    int batchQueueCapacity,
    int streamQueueCapacity,
    int backgroundQueueCapacity,
    Duration scoringTimeout,
    int inferenceWorkers,
    int inferenceThreads,
    int sentimentBatchSize,
    int featureCacheMegabytes,
    int retryAfterSeconds,
    double selfCheckRawTolerance,
    double minRankCorrelation,
    RolloutSettings rollout,
    StreamsSettings streams) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8000;
  public static final String DEFAULT_LOG_LEVEL = "info";
  public static final boolean DEFAULT_USE_LORA = true;
  public static final boolean DEFAULT_FORCE_CPU = false;
  public static final int DEFAULT_LORA_RANK = 8;
  public static final int DEFAULT_MAX_TEXT_LENGTH = 10_000;
  public static final int DEFAULT_MAX_COMMENTS = 1_000;
  public static final int DEFAULT_MAX_COMMENT_LENGTH = 5_000;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 20L * 1024 * 1024;
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 40_000_000L;
  public static final int DEFAULT_BATCH_MAX_SIZE = 32;
  public static final int DEFAULT_BATCH_MAX_DELAY_MS = 10;
  public static final int DEFAULT_BATCH_QUEUE_CAPACITY = 256;
  public static final int DEFAULT_STREAM_QUEUE_CAPACITY = 256;
  public static final int DEFAULT_BACKGROUND_QUEUE_CAPACITY = 64;
  public static final int DEFAULT_SCORING_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_INFERENCE_WORKERS = 1;
  public static final int DEFAULT_INFERENCE_THREADS = 0;
  public static final int DEFAULT_SENTIMENT_BATCH_SIZE = 64;
  public static final int DEFAULT_FEATURE_CACHE_MB = 256;
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;
  public static final double DEFAULT_SELF_CHECK_RAW_TOLERANCE = 1e-3;
  public static final double DEFAULT_MIN_RANK_CORRELATION = 0.999;

  static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warning", "warn", "error", "critical");

  /** Validates the combination of values; each field was range-checked when it was read. */
  public ServiceConfig {
    if (batchMaxDelay.compareTo(scoringTimeout) >= 0) {
      throw new ConfigException(
          "BATCH_MAX_DELAY_MS ("
              + batchMaxDelay.toMillis()
              + ") must be shorter than SCORING_TIMEOUT_MS ("
              + scoringTimeout.toMillis()
              + ")");
    }
    requireBatchRoom("BATCH_QUEUE_CAPACITY", batchQueueCapacity, batchMaxSize);
    requireBatchRoom("STREAM_QUEUE_CAPACITY", streamQueueCapacity, batchMaxSize);
    requireBatchRoom("BACKGROUND_QUEUE_CAPACITY", backgroundQueueCapacity, batchMaxSize);
    if (maxImageBytes > maxRequestBytes) {
      throw new ConfigException(
          "MAX_IMAGE_BYTES ("
              + maxImageBytes
              + ") must not exceed MAX_REQUEST_BYTES ("
              + maxRequestBytes
              + ")");
    }
  }

  /** A lane must hold at least one full batch. */
  private static void requireBatchRoom(String variable, int capacity, int batchMaxSize) {
    if (capacity < batchMaxSize) {
      throw new ConfigException(
          variable + " (" + capacity + ") must be at least BATCH_MAX_SIZE (" + batchMaxSize + ")");
    }
  }

  /**
   * Reads the configuration from environment-style variables.
   *
   * @throws ConfigException naming the first variable whose value is invalid
   */
  public static ServiceConfig fromEnv(Map<String, String> env) {
    EnvironmentReader read = new EnvironmentReader(env);
    S3Settings s3 = S3SettingsReader.read(read);
    int port = read.integer("PORT", DEFAULT_PORT, 0, 65_535);
    // The image cap is the image fetches' too, and the stream's settings are read last.
    long maxImageBytes =
        read.longInteger("MAX_IMAGE_BYTES", FetchSettings.DEFAULT_MAX_BYTES, 1_024, 1L << 30);
    ModelSourceConfig modelSource = ModelSourceConfig.fromEnv(read);
    int batchMaxSize = read.integer("BATCH_MAX_SIZE", DEFAULT_BATCH_MAX_SIZE, 1, 1_024);
    return new ServiceConfig(
        read.string("HOST", DEFAULT_HOST),
        port,
        read.choice("LOG_LEVEL", DEFAULT_LOG_LEVEL, LOG_LEVELS),
        read.bool("USE_LORA", DEFAULT_USE_LORA),
        read.integer("LORA_RANK", DEFAULT_LORA_RANK, 1, 1024),
        read.bool("FORCE_CPU", DEFAULT_FORCE_CPU),
        modelSource,
        s3,
        read.integer("MAX_TEXT_LENGTH_REQUEST", DEFAULT_MAX_TEXT_LENGTH, 1, 1_000_000),
        read.integer("MAX_COMMENTS", DEFAULT_MAX_COMMENTS, 0, 100_000),
        read.integer("MAX_COMMENT_LENGTH", DEFAULT_MAX_COMMENT_LENGTH, 1, 1_000_000),
        read.longInteger("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES, 1_024, 1L << 30),
        maxImageBytes,
        read.longInteger("MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS, 1, 1L << 31),
        batchMaxSize,
        Duration.ofMillis(
            read.integer("BATCH_MAX_DELAY_MS", DEFAULT_BATCH_MAX_DELAY_MS, 0, 60_000)),
        read.integer("BATCH_QUEUE_CAPACITY", DEFAULT_BATCH_QUEUE_CAPACITY, 1, 1_000_000),
        // The new lanes hold at least a batch by default, whatever BATCH_MAX_SIZE is.
        read.integer(
            "STREAM_QUEUE_CAPACITY",
            Math.max(DEFAULT_STREAM_QUEUE_CAPACITY, batchMaxSize),
            1,
            1_000_000),
        read.integer(
            "BACKGROUND_QUEUE_CAPACITY",
            Math.max(DEFAULT_BACKGROUND_QUEUE_CAPACITY, batchMaxSize),
            1,
            1_000_000),
        Duration.ofMillis(
            read.integer("SCORING_TIMEOUT_MS", DEFAULT_SCORING_TIMEOUT_MS, 1, 3_600_000)),
        read.integer("INFERENCE_WORKERS", DEFAULT_INFERENCE_WORKERS, 1, 64),
        read.integer("INFERENCE_THREADS", DEFAULT_INFERENCE_THREADS, 0, 1_024),
        read.integer("SENTIMENT_BATCH_SIZE", DEFAULT_SENTIMENT_BATCH_SIZE, 1, 4_096),
        read.integer("FEATURE_CACHE_MB", DEFAULT_FEATURE_CACHE_MB, 0, 1 << 20),
        read.integer("RETRY_AFTER_SECONDS", DEFAULT_RETRY_AFTER_SECONDS, 1, 3_600),
        read.decimal("SELF_CHECK_RAW_TOLERANCE", DEFAULT_SELF_CHECK_RAW_TOLERANCE, 0, 1),
        read.decimal("MIN_RANK_CORRELATION", DEFAULT_MIN_RANK_CORRELATION, -1, 1),
        RolloutSettings.fromEnv(read, modelSource),
        StreamsSettings.fromEnv(read, port, maxImageBytes));
  }

  /** The feature caches' bound in bytes. */
  public long featureCacheBytes() {
    return (long) featureCacheMegabytes << 20;
  }

  /** The configuration of this process: its environment over {@code .env} in the working dir. */
  public static ServiceConfig fromProcessEnvironment() {
    return fromEnv(DotEnvFile.overlay(Path.of(".env"), System.getenv()));
  }
}
