package io.engagementscorer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LaneCapacityConfigTest {
  @Test
  void shouldBoundEachLaneOnItsOwn() {
    ServiceConfig defaults = ServiceConfig.fromEnv(Map.of());
    assertThat(defaults.batchQueueCapacity()).isEqualTo(ServiceConfig.DEFAULT_BATCH_QUEUE_CAPACITY);
    assertThat(defaults.streamQueueCapacity())
        .isEqualTo(ServiceConfig.DEFAULT_STREAM_QUEUE_CAPACITY);
    assertThat(defaults.backgroundQueueCapacity())
        .isEqualTo(ServiceConfig.DEFAULT_BACKGROUND_QUEUE_CAPACITY);

    ServiceConfig set =
        ServiceConfig.fromEnv(
            Map.of("STREAM_QUEUE_CAPACITY", "500", "BACKGROUND_QUEUE_CAPACITY", "40"));
    assertThat(set.streamQueueCapacity()).isEqualTo(500);
    assertThat(set.backgroundQueueCapacity()).isEqualTo(40);
  }

  @Test
  void shouldGiveTheNewLanesRoomForABatchOfAnySizeByDefault() {
    ServiceConfig big =
        ServiceConfig.fromEnv(Map.of("BATCH_MAX_SIZE", "128", "BATCH_QUEUE_CAPACITY", "512"));
    assertThat(big.backgroundQueueCapacity()).isEqualTo(128);
    assertThat(big.streamQueueCapacity()).isEqualTo(256);
  }

  @Test
  void shouldRefuseALaneSmallerThanABatchNamingTheVariable() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("BACKGROUND_QUEUE_CAPACITY", "8")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("BACKGROUND_QUEUE_CAPACITY (8) must be at least BATCH_MAX_SIZE");
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("STREAM_QUEUE_CAPACITY", "zero")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("STREAM_QUEUE_CAPACITY");
  }
}
