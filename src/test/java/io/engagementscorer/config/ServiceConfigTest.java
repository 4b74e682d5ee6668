package io.engagementscorer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.fetch.FetchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceConfigTest {

  @Test
  void shouldUseTheOriginalServiceDefaultsWhenNothingIsSet() {
    ServiceConfig config = ServiceConfig.fromEnv(Map.of());

    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(8000);
    assertThat(config.logLevel()).isEqualTo("info");
    assertThat(config.useLora()).isTrue();
    assertThat(config.loraRank()).isEqualTo(8);
    assertThat(config.forceCpu()).isFalse();
    assertThat(config.maxTextLength()).isEqualTo(10_000);
    assertThat(config.maxComments()).isEqualTo(1_000);
    assertThat(config.modelSource().localDir()).isEqualTo(Path.of("models/tiny"));
    assertThat(config.modelSource().useS3()).isFalse();
    assertThat(config.modelSource().reloadEnabled()).isFalse();
    assertThat(config.batchMaxSize()).isEqualTo(32);
    assertThat(config.batchMaxDelay()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void shouldReadEveryVariableThatIsSet() {
    ServiceConfig config =
        ServiceConfig.fromEnv(
            Map.of(
                "HOST", "127.0.0.1",
                "PORT", "9001",
                "LOG_LEVEL", "DEBUG",
                "USE_LORA", "false",
                "LORA_RANK", "16",
                "FORCE_CPU", "true",
                "MAX_TEXT_LENGTH_REQUEST", "500",
                "MAX_COMMENTS", "20",
                "BATCH_MAX_SIZE", "8",
                "BATCH_MAX_DELAY_MS", "25"));

    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(9001);
    assertThat(config.logLevel()).isEqualTo("debug");
    assertThat(config.useLora()).isFalse();
    assertThat(config.loraRank()).isEqualTo(16);
    assertThat(config.forceCpu()).isTrue();
    assertThat(config.maxTextLength()).isEqualTo(500);
    assertThat(config.maxComments()).isEqualTo(20);
    assertThat(config.batchMaxSize()).isEqualTo(8);
    assertThat(config.batchMaxDelay()).isEqualTo(Duration.ofMillis(25));
  }

  @ParameterizedTest
  @CsvSource({
    "PORT, eighty",
    "PORT, 70000",
    "USE_LORA, maybe",
    "FORCE_CPU, 2",
    "LORA_RANK, 0",
    "MAX_COMMENTS, -1",
    "LOG_LEVEL, loud",
    "BATCH_MAX_SIZE, 0",
    "SELF_CHECK_RAW_TOLERANCE, lots"
  })
  void shouldRefuseAnInvalidValueNamingTheVariable(String variable, String value) {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(variable)
        .hasMessageContaining(value);
  }

  @Test
  void shouldRefuseABatchDelayLongerThanTheScoringTimeout() {
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    Map.of("BATCH_MAX_DELAY_MS", "5000", "SCORING_TIMEOUT_MS", "1000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("BATCH_MAX_DELAY_MS")
        .hasMessageContaining("SCORING_TIMEOUT_MS");
  }

  @Test
  void shouldReadTheS3ModelSource() {
    ServiceConfig config =
        ServiceConfig.fromEnv(
            Map.of(
                "USE_S3_MODEL", "true",
                "S3_BUCKET_NAME", "models",
                "S3_MODEL_KEY", "engagement/current.tar.gz",
                "S3_MODEL_FALLBACK_KEYS", " engagement/previous.tar.gz,,engagement/current.tar.gz ",
                "S3_ENDPOINT", "http://127.0.0.1:9000",
                "S3_PATH_STYLE", "true",
                "MODEL_CACHE_DIR", "/var/cache/models",
                "MODEL_RELOAD_INTERVAL_S", "30",
                "ADMIN_TOKEN", "0123456789abcdef"));
    ModelSourceConfig source = config.modelSource();

    assertThat(source.useS3()).isTrue();
    assertThat(source.keys())
        .containsExactly("engagement/current.tar.gz", "engagement/previous.tar.gz");
    assertThat(config.s3().endpoint()).hasPort(9000);
    assertThat(config.s3().pathStyle()).isTrue();
    assertThat(config.s3().region()).isEqualTo("us-east-1");
    assertThat(source.cacheDir()).isEqualTo(Path.of("/var/cache/models"));
    assertThat(source.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(source.adminToken()).isEqualTo("0123456789abcdef");
  }

  @ParameterizedTest
  @CsvSource({
    "S3_BUCKET_NAME, S3_MODEL_KEY, engagement.tar.gz",
    "S3_MODEL_KEY, S3_BUCKET_NAME, models",
  })
  void shouldNameTheMissingS3VariableWhenUsingS3(String missing, String set, String value) {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("USE_S3_MODEL", "true", set, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void shouldRefuseAShortAdminToken() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("ADMIN_TOKEN", "secret")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ADMIN_TOKEN")
        .hasMessageContaining("16");
  }

  @Test
  void shouldRefuseAnS3EndpointThatIsNotAUrl() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("S3_ENDPOINT", "minio:9000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("S3_ENDPOINT");
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("S3_ENDPOINT", "ftp://minio:9000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("S3_ENDPOINT")
        .hasMessageContaining("ftp://minio:9000");
  }

  @Test
  void shouldRunHttpOnlyWithoutKafkaBootstrapServers() {
    assertThat(ServiceConfig.fromEnv(Map.of()).streams()).isNull();
  }

  @Test
  void shouldReadTheStreamsSettingsWithExactlyOnceByDefault() {
    StreamsSettings streams =
        ServiceConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                    "SCHEMA_REGISTRY_URL", "http://localhost:8081",
                    "PORT", "8100"))
            .streams();

    assertThat(streams.inputTopic()).isEqualTo("posts");
    assertThat(streams.outputTopic()).isEqualTo("engagement-scores");
    assertThat(streams.deadLetterTopic()).isEqualTo("posts-dlq");
    assertThat(streams.exactlyOnce()).isTrue();
    assertThat(streams.inputFormat()).isEqualTo("avro");
    assertThat(streams.applicationServer()).isEqualTo("localhost:8100");
  }

  @Test
  void shouldReadTheImageFetchSettingsWithTheServiceImageCap() {
    Map<String, String> stream = streamEnvironment();
    FetchSettings defaults = ServiceConfig.fromEnv(stream).streams().imageFetch();
    Map<String, String> env = new HashMap<>(stream);
    env.put("IMAGE_ALLOWED_HOSTS", " cdn.example.com, *.images.example.net ,");
    env.put("IMAGE_FILE_ROOT", "/srv/images");
    env.put("IMAGE_FETCH_TIMEOUT_MS", "2500");
    env.put("MAX_IMAGE_BYTES", "4096");

    FetchSettings set = ServiceConfig.fromEnv(env).streams().imageFetch();

    assertThat(defaults).isEqualTo(FetchSettings.builder().build());
    assertThat(set.allowedHosts())
        .containsExactlyInAnyOrder("cdn.example.com", "*.images.example.net");
    assertThat(set.fileRoot()).isEqualTo(Path.of("/srv/images"));
    assertThat(set.readTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(set.connectTimeout()).isEqualTo(FetchSettings.DEFAULT_CONNECT_TIMEOUT);
    assertThat(set.maxBytes()).isEqualTo(4096);
  }

  @ParameterizedTest
  @CsvSource({"IMAGE_FILE_ROOT, relative/images", "IMAGE_ALLOWED_HOSTS, *.com"})
  void shouldRefuseAnInvalidImageFetchValueNamingTheVariable(String variable, String value) {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(streamEnvironment(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(variable)
        .hasMessageContaining(value);
  }

  @Test
  void shouldRequireASchemaRegistryForTheStream() {
    assertThatThrownBy(
            () -> ServiceConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SCHEMA_REGISTRY_URL");
  }

  @Test
  void shouldGiveTheStreamOnePreparationThreadPerCoreByDefault() {
    StreamsSettings streams = ServiceConfig.fromEnv(streamEnvironment()).streams();

    assertThat(streams.preparationThreads())
        .isEqualTo(StreamsSettings.PREPARATION_THREADS_PER_CORE);
    assertThat(streams.preparationPoolSize(6)).isEqualTo(6);
  }

  @Test
  void shouldSizeThePreparationPoolFromPreparationThreads() {
    StreamsSettings streams =
        ServiceConfig.fromEnv(streamEnvironment("PREPARATION_THREADS", "12")).streams();

    assertThat(streams.preparationThreads()).isEqualTo(12);
    assertThat(streams.preparationPoolSize(6)).isEqualTo(12);
  }

  @ParameterizedTest
  @CsvSource({"-1", "257", "many"})
  void shouldRefuseAPreparationThreadCountOutOfRangeNamingTheVariable(String value) {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(streamEnvironment("PREPARATION_THREADS", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PREPARATION_THREADS")
        .hasMessageContaining(value);
  }

  @Test
  void shouldPassKafkaStreamsPropertiesThroughFromPrefixedVariables() {
    StreamsSettings streams =
        ServiceConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                    "SCHEMA_REGISTRY_URL", "mock://test",
                    "KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000",
                    "KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1"))
            .streams();

    assertThat(streams.extraProperties())
        .containsEntry("consumer.session.timeout.ms", "6000")
        .containsEntry("num.standby.replicas", "1")
        .hasSize(2);
  }

  /** A stream on a local broker and the mock registry, plus {@code nameValuePairs}. */
  private static Map<String, String> streamEnvironment(String... nameValuePairs) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    env.put("SCHEMA_REGISTRY_URL", "mock://test");
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      env.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return env;
  }
}
