package io.engagementscorer.stream;

import io.engagementscorer.config.StreamsSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the input topic exists and creates the output, dead-letter and (with a candidate model)
 * candidate topics when they do not, with the input's partition count, so keys land on matching
 * partitions everywhere.
 */
public final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  private TopicProvisioner() {}

  /** Checks the input topic and creates the output and dead-letter topics. */
  public static void ensureTopics(StreamsSettings settings) {
    ensureTopics(settings, null);
  }

  /**
   * Checks the input topic and creates the output, dead-letter and {@code candidateTopic} topics
   * (the last one unless null).
   */
  public static void ensureTopics(StreamsSettings settings, String candidateTopic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!existing.contains(settings.inputTopic())) {
        throw new IllegalStateException(
            "The input topic "
                + settings.inputTopic()
                + " does not exist on "
                + settings.bootstrapServers()
                + "; create it (its partition count sets the stream's parallelism)");
      }
      TopicDescription input =
          admin
              .describeTopics(List.of(settings.inputTopic()))
              .allTopicNames()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .get(settings.inputTopic());
      List<NewTopic> missing = new ArrayList<>();
      List<String> outputs =
          new ArrayList<>(List.of(settings.outputTopic(), settings.deadLetterTopic()));
      if (candidateTopic != null) {
        outputs.add(candidateTopic);
      }
      for (String topic : outputs) {
        if (!existing.contains(topic)) {
          missing.add(
              new NewTopic(
                  topic,
                  Optional.of(input.partitions().size()),
                  settings.replicationFactor() < 0
                      ? Optional.empty()
                      : Optional.of((short) settings.replicationFactor())));
        }
      }
      if (!missing.isEmpty()) {
        create(admin, missing);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot check topics on " + settings.bootstrapServers() + ": " + e.getMessage(), e);
    }
  }

  private static void create(Admin admin, List<NewTopic> topics)
      throws InterruptedException, TimeoutException, ExecutionException {
    try {
      admin.createTopics(topics).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.info("Created topics {}", topics.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }
}
