package io.engagementscorer.stream;

import io.engagementscorer.errors.DeadLetterStage;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every dead letter carries: why it failed, at which {@link DeadLetterStage}, the
 * exception class, and where the record came from.
 */
public final class DeadLetters {
  public static final String REASON = "dlq.reason";
  public static final String STAGE = "dlq.stage";
  public static final String EXCEPTION_CLASS = "dlq.exception.class";
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";

  private DeadLetters() {}

  static Headers headers(
      DeadLetterStage stage, Throwable failure, String topic, int partition, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON, bytes(String.valueOf(failure.getMessage())));
    headers.add(STAGE, bytes(stage.value()));
    headers.add(EXCEPTION_CLASS, bytes(failure.getClass().getName()));
    headers.add(SOURCE_TOPIC, bytes(topic));
    headers.add(SOURCE_PARTITION, bytes(Integer.toString(partition)));
    headers.add(SOURCE_OFFSET, bytes(Long.toString(offset)));
    return headers;
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
