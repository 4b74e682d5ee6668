package io.engagementscorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class ProducerPartitionersTest {
  @Test
  void shouldPlaceKeysAsLibrdkafkaDoesWithTheUnsignedCrc32() {
    // 0xCBF43926 is CRC-32's check value for "123456789"; as a signed int it is negative.
    assertThat(ProducerPartitioners.crc32Partition("123456789", 7))
        .isEqualTo((int) (0xCBF43926L % 7));
    assertThat(ProducerPartitioners.crc32Partition("123456789", 1000))
        .isEqualTo((int) (0xCBF43926L % 1000));
  }

  @Test
  void shouldPlaceKeysAsKafkasJavaProducerDoes() {
    for (String key : new String[] {"post-1", "demo-0", "ünïcödé", "a"}) {
      assertThat(ProducerPartitioners.murmur2Partition(key, 6))
          .as(key)
          .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 6));
    }
  }

  @Test
  void shouldOfferBothPartitionsThroughTheStreamPartitioners() {
    assertThat(ProducerPartitioners.LIBRDKAFKA_CRC32.partitions("posts", "123456789", null, 7))
        .hasValueSatisfying(partitions -> assertThat(partitions).containsExactly(5));
    assertThat(ProducerPartitioners.JAVA_MURMUR2.partitions("posts", "post-1", null, 6))
        .hasValueSatisfying(
            partitions ->
                assertThat(partitions)
                    .containsExactly(ProducerPartitioners.murmur2Partition("post-1", 6)));
  }

  @Test
  void shouldPutSomeKeysOnDifferentPartitionsUnderTheTwoHashings() {
    long differing =
        IntStream.range(0, 100)
            .mapToObj(index -> "post-" + index)
            .filter(
                key ->
                    ProducerPartitioners.crc32Partition(key, 4)
                        != ProducerPartitioners.murmur2Partition(key, 4))
            .count();

    assertThat(differing).isGreaterThan(50);
  }
}
