package io.engagementscorer.faults;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.stream.serde.ConfluentAvroSerializer;
import io.engagementscorer.stream.serde.SchemaRegistryClient;
import io.engagementscorer.testing.LibrdkafkaPartitioner;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces a plan's events at an even rate and records each one the broker acknowledged in an
 * {@link EventLedger}. Event {@code k} belongs to post {@code k % posts} and makes its version
 * {@code k / posts + 1}: a post's first event sets its text and an image by reference, each later
 * one adds a comment. Even posts go through a producer with Kafka's Java partitioner (murmur2), odd
 * ones through one that places keys as librdkafka does (CRC32), so that both hashings are on the
 * topic. Both producers are idempotent with {@code acks=all} and retry for two minutes, longer than
 * any outage a plan injects, so that a broker outage delays events but loses none.
 */
final class RecordingProducer implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingProducer.class);
  private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);

  private final String bootstrapServers;
  private final String topic;
  private final FaultPlan plan;
  private final String imageUri;
  private final ConfluentAvroSerializer<PostEvent> serializer;
  private final EventLedger ledger;
  private final long startMillis;

  RecordingProducer(
      String bootstrapServers,
      String topic,
      FaultPlan plan,
      String imageUri,
      SchemaRegistryClient registry,
      EventLedger ledger,
      long startMillis) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.plan = plan;
    this.imageUri = imageUri;
    this.serializer = new ConfluentAvroSerializer<>(registry, PostEvent.class, true, false);
    this.ledger = ledger;
    this.startMillis = startMillis;
  }

  /**
   * Produces the plan's preload posts ({@code pre-<n>}, one creating event each) as fast as the
   * broker takes them, and waits until the broker has acknowledged them all.
   */
  void preload() {
    try (KafkaProducer<String, byte[]> murmur2 = producer(null);
        KafkaProducer<String, byte[]> crc32 = producer(LibrdkafkaPartitioner.class)) {
      for (int post = 0; post < plan.preloadPosts(); post++) {
        send(post % 2 == 0 ? murmur2 : crc32, "pre-" + post, 1);
      }
      murmur2.flush();
      crc32.flush();
    }
  }

  @Override
  public void run() {
    try (KafkaProducer<String, byte[]> murmur2 = producer(null);
        KafkaProducer<String, byte[]> crc32 = producer(LibrdkafkaPartitioner.class)) {
      double intervalMillis = (double) plan.production().toMillis() / plan.events();
      for (int k = 0; k < plan.events(); k++) {
        long due = startMillis + Math.round(k * intervalMillis);
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        int post = k % plan.posts();
        long version = k / plan.posts() + 1;
        send(post % 2 == 0 ? murmur2 : crc32, "post-" + post, version);
        if ((k + 1) % 500 == 0) {
          LOG.info("Sent {} of {} events", k + 1, plan.events());
        }
      }
      murmur2.flush();
      crc32.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(KafkaProducer<String, byte[]> producer, String postId, long version) {
    PostEvent event = event(postId, version);
    long sentAt = System.currentTimeMillis();
    producer.send(
        new ProducerRecord<>(topic, postId, serializer.serialize(topic, event)),
        (metadata, error) -> {
          if (error == null) {
            ledger.acknowledged(
                new EventLedger.SentEvent(postId, version, metadata.partition(), sentAt));
          } else {
            ledger.failed();
            LOG.error("Event {}@{} was not acknowledged", postId, version, error);
          }
        });
  }

  private PostEvent event(String postId, long version) {
    PostEvent.Builder event =
        PostEvent.newBuilder()
            .setPostId(postId)
            .setText(null)
            .setImage(null)
            .setComments(List.of())
            .setEventTime(null);
    if (version == 1) {
      event
          .setText("Text of " + postId)
          .setImage(ImageReference.newBuilder().setBytes(null).setUri(imageUri).build());
    } else {
      event.setComments(
          List.of(
              Comment.newBuilder()
                  .setCommentId("c" + version)
                  .setText("comment " + version + " on " + postId)
                  .setCreatedAt(null)
                  .build()));
    }
    return event.build();
  }

  private KafkaProducer<String, byte[]> producer(Class<?> partitioner) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TimeUnit.MINUTES.toMillis(2));
    if (partitioner != null) {
      props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
    }
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
