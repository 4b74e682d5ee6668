package io.engagementscorer.testing;

import java.util.Map;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * A Java producer partitioner that places keys as librdkafka's default {@code consistent_random}
 * does, {@code rd_crc32(key, keylen) % partition_cnt} with the CRC32 unsigned: what producers in
 * Python, Go, C# and kcat do, where Kafka's Java client hashes with murmur2.
 */
public final class LibrdkafkaPartitioner implements Partitioner {
  @Override
  public int partition(
      String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    CRC32 crc = new CRC32();
    crc.update(keyBytes);
    return (int) ((crc.getValue() & 0xffffffffL) % cluster.partitionCountForTopic(topic));
  }

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public void close() {}
}
