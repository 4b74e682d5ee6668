package io.engagementscorer.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The partitions that producers' default partitioners put a post id on. The same key lands on
 * different partitions depending on the producer's client: Kafka's Java client hashes it with
 * murmur2, librdkafka (Python, Go, C#, kcat) with CRC32, so a post's score lives in the partition
 * its producer chose, and a lookup has to ask for both.
 */
final class ProducerPartitioners {
  /** Kafka's Java client (and Kafka Streams' own default): murmur2 of the key bytes. */
  static final StreamPartitioner<String, Object> JAVA_MURMUR2 =
      (topic, key, value, partitions) -> Optional.of(Set.of(murmur2Partition(key, partitions)));

  /**
   * librdkafka's default, {@code consistent_random}, for a non-empty key: {@code rd_crc32(key) %
   * partition_cnt}, the CRC32 taken as unsigned (an empty key goes to a random partition there).
   */
  static final StreamPartitioner<String, Object> LIBRDKAFKA_CRC32 =
      (topic, key, value, partitions) -> Optional.of(Set.of(crc32Partition(key, partitions)));

  /** The partitioners lookups try, most common first. */
  static final List<StreamPartitioner<String, Object>> DEFAULTS =
      List.of(JAVA_MURMUR2, LIBRDKAFKA_CRC32);

  private ProducerPartitioners() {}

  static int murmur2Partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  static int crc32Partition(String key, int partitions) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % partitions);
  }
}
