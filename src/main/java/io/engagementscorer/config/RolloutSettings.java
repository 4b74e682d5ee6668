package io.engagementscorer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a new model is rolled out: a candidate scored in the shadow beside the served model, and
 * stored posts scored again when the served model changes.
 *
 * @param candidateSource where the candidate comes from ({@code CANDIDATE_MODEL_DIR} or {@code
 *     CANDIDATE_S3_MODEL_KEY}), or null for no candidate
 * @param sampleRate the share of stream posts the candidate scores too, chosen by a hash of the
 *     post id ({@code CANDIDATE_SAMPLE_RATE})
 * @param candidateTopic where the candidate's scores go ({@code CANDIDATE_TOPIC})
 * @param candidateMaxWait how long a served score waits, once it is ready, for the candidate's
 *     score of the same post to be published with it ({@code CANDIDATE_MAX_WAIT_MS})
 * @param comparisonWindow how many recent posts the rank agreement of served and candidate scores
 *     is computed over ({@code CANDIDATE_COMPARISON_WINDOW})
 * @param rescoreOnModelChange whether every stored post is scored again when the served version
 *     changes ({@code RESCORE_ON_MODEL_CHANGE})
 * @param rescoreMaxPostsPerSecond the most stored posts this instance scores again per second
 *     ({@code RESCORE_MAX_POSTS_PER_SECOND})
 */
public record RolloutSettings(
    ModelSourceConfig candidateSource,
    double sampleRate,
    String candidateTopic,
    Duration candidateMaxWait,
    int comparisonWindow,
    boolean rescoreOnModelChange,
    int rescoreMaxPostsPerSecond) {

  public static final double DEFAULT_CANDIDATE_SAMPLE_RATE = 0.1;
  public static final String DEFAULT_CANDIDATE_TOPIC = "engagement-scores-candidate";
  public static final int DEFAULT_CANDIDATE_MAX_WAIT_MS = 2_000;
  public static final int DEFAULT_CANDIDATE_COMPARISON_WINDOW = 1_000;
  public static final boolean DEFAULT_RESCORE_ON_MODEL_CHANGE = false;
  public static final int DEFAULT_RESCORE_MAX_POSTS_PER_SECOND = 20;

  /** Whether a candidate source is configured. */
  public boolean candidateConfigured() {
    return candidateSource != null;
  }

  /**
   * Reads the rollout settings; the candidate's source shares the served model's bucket, cache
   * folder (under {@code candidate/}), size limit, reload interval and admin token.
   */
  static RolloutSettings fromEnv(EnvironmentReader read, ModelSourceConfig served) {
    String dir = read.string("CANDIDATE_MODEL_DIR", null);
    String key = read.string("CANDIDATE_S3_MODEL_KEY", null);
    if (dir != null && key != null) {
      throw new ConfigException(
          "Set one of CANDIDATE_MODEL_DIR and CANDIDATE_S3_MODEL_KEY, not both: the candidate has"
              + " one source");
    }
    if (key != null && (served.bucket() == null || served.bucket().isBlank())) {
      throw new ConfigException(
          "CANDIDATE_S3_MODEL_KEY needs S3_BUCKET_NAME, the bucket that holds the candidate");
    }
    ModelSourceConfig candidate =
        dir == null && key == null
            ? null
            : new ModelSourceConfig(
                key != null,
                dir == null ? null : Path.of(dir),
                served.bucket(),
                key,
                List.of(),
                served.cacheDir().resolve("candidate"),
                served.maxBundleBytes(),
                served.reloadInterval(),
                served.adminToken());
    return new RolloutSettings(
        candidate,
        read.decimal("CANDIDATE_SAMPLE_RATE", DEFAULT_CANDIDATE_SAMPLE_RATE, 0, 1),
        read.string("CANDIDATE_TOPIC", DEFAULT_CANDIDATE_TOPIC),
        Duration.ofMillis(
            read.integer("CANDIDATE_MAX_WAIT_MS", DEFAULT_CANDIDATE_MAX_WAIT_MS, 0, 600_000)),
        read.integer(
            "CANDIDATE_COMPARISON_WINDOW", DEFAULT_CANDIDATE_COMPARISON_WINDOW, 10, 1_000_000),
        read.bool("RESCORE_ON_MODEL_CHANGE", DEFAULT_RESCORE_ON_MODEL_CHANGE),
        read.integer(
            "RESCORE_MAX_POSTS_PER_SECOND", DEFAULT_RESCORE_MAX_POSTS_PER_SECOND, 1, 1_000_000));
  }
}
