package io.engagementscorer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutSettingsTest {
  private static RolloutSettings read(Map<String, String> env) {
    return ServiceConfig.fromEnv(env).rollout();
  }

  @Test
  void shouldHaveNoCandidateAndNoRescoringByDefault() {
    RolloutSettings settings = read(Map.of());
    assertThat(settings.candidateConfigured()).isFalse();
    assertThat(settings.sampleRate()).isEqualTo(RolloutSettings.DEFAULT_CANDIDATE_SAMPLE_RATE);
    assertThat(settings.candidateTopic()).isEqualTo("engagement-scores-candidate");
    assertThat(settings.candidateMaxWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.rescoreOnModelChange()).isFalse();
    assertThat(settings.rescoreMaxPostsPerSecond())
        .isEqualTo(RolloutSettings.DEFAULT_RESCORE_MAX_POSTS_PER_SECOND);
  }

  @Test
  void shouldReadACandidateFolderOrAnS3KeyBesideTheServedBundle() {
    RolloutSettings local =
        read(Map.of("CANDIDATE_MODEL_DIR", "models/next", "CANDIDATE_SAMPLE_RATE", "0.25"));
    assertThat(local.candidateSource().useS3()).isFalse();
    assertThat(local.candidateSource().localDir()).isEqualTo(Path.of("models/next"));
    assertThat(local.sampleRate()).isEqualTo(0.25);

    Map<String, String> env = new HashMap<>();
    env.put("USE_S3_MODEL", "true");
    env.put("S3_BUCKET_NAME", "models");
    env.put("S3_MODEL_KEY", "served.tar.gz");
    env.put("CANDIDATE_S3_MODEL_KEY", "next.tar.gz");
    env.put("MODEL_CACHE_DIR", "/var/cache/models");
    ModelSourceConfig s3 = read(env).candidateSource();
    assertThat(s3.useS3()).isTrue();
    assertThat(s3.bucket()).isEqualTo("models");
    assertThat(s3.keys()).containsExactly("next.tar.gz");
    assertThat(s3.cacheDir()).isEqualTo(Path.of("/var/cache/models/candidate"));
  }

  @Test
  void shouldRefuseValuesThatMakeNoSenseNamingTheVariable() {
    assertThatThrownBy(() -> read(Map.of("CANDIDATE_SAMPLE_RATE", "1.5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDIDATE_SAMPLE_RATE");
    assertThatThrownBy(
            () -> read(Map.of("CANDIDATE_MODEL_DIR", "a", "CANDIDATE_S3_MODEL_KEY", "b.tar.gz")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDIDATE_MODEL_DIR");
    assertThatThrownBy(() -> read(Map.of("CANDIDATE_S3_MODEL_KEY", "b.tar.gz")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("S3_BUCKET_NAME");
    assertThatThrownBy(() -> read(Map.of("RESCORE_MAX_POSTS_PER_SECOND", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RESCORE_MAX_POSTS_PER_SECOND");
    assertThatThrownBy(() -> read(Map.of("RESCORE_ON_MODEL_CHANGE", "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RESCORE_ON_MODEL_CHANGE");
  }
}
