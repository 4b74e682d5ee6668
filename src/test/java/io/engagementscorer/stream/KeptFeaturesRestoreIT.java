package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static io.engagementscorer.stream.PostEvents.event;
import static io.engagementscorer.stream.StreamTestKit.freePort;
import static io.engagementscorer.stream.StreamTestKit.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.config.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * What a post's next change reuses lives in changelogged state, not in one process's memory: an
 * instance that starts on an empty state directory, restores the stores from the changelogs and
 * scores a comment-only change runs neither CLIP encoder and the classifier on the new comment
 * only, and gives the score a from-scratch prediction gives.
 */
class KeptFeaturesRestoreIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ROWS =
      Pattern.compile("engagement_inference_rows_total\\{model=\"([a-z_]+)\"[^}]*} ([0-9.E]+)");

  private static double rows(int port, String model) throws Exception {
    Matcher matcher = ROWS.matcher(get(port, "/metrics").body());
    double rows = 0;
    while (matcher.find()) {
      if (matcher.group(1).equals(model)) {
        rows += Double.parseDouble(matcher.group(2));
      }
    }
    return rows;
  }

  @Test
  void shouldReuseTheKeptFeaturesAfterARestartOnAnEmptyStateDirectory() throws Exception {
    byte[] photo = Files.readAllBytes(Path.of("src/test/resources/images/photo.jpg"));
    try (StreamStack stack = StreamStack.start(2)) {
      PostEvent first =
          PostEvent.newBuilder(
                  event("kept", "Sunset over the river #nature", comment("c1", "Wow!")))
              .setImage(
                  ImageReference.newBuilder().setBytes(ByteBuffer.wrap(photo)).setUri(null).build())
              .build();
      int firstPort = freePort();
      Map<String, String> firstEnv = stack.serviceEnvironment(firstPort);
      Application before = Application.start(ServiceConfig.fromEnv(firstEnv));
      try {
        stack.publish(first);
        stack.flush();
        stack.scoresUntil(records -> !records.isEmpty());
      } finally {
        before.close();
      }

      int port = freePort();
      // A new, empty state directory: everything comes back from the changelog topics.
      Map<String, String> env = stack.serviceEnvironment(port);
      Application after = Application.start(ServiceConfig.fromEnv(env));
      try {
        // The start-up self-check ran the reference cases through every part already.
        double images = rows(port, "image_encoder");
        double texts = rows(port, "text_encoder");
        double comments = rows(port, "sentiment");
        PostEvent second = event("kept", null, comment("c2", "Love the colours"));
        stack.publish(second);
        stack.flush();

        List<ConsumerRecord<String, EngagementScore>> scores =
            stack.scoresUntil(
                records -> records.stream().anyMatch(r -> r.value().getPostVersion() == 2));

        assertThat(rows(port, "image_encoder") - images).isZero();
        assertThat(rows(port, "text_encoder") - texts).isZero();
        assertThat(rows(port, "sentiment") - comments).isEqualTo(1);
        EngagementScore score =
            scores.stream()
                .filter(record -> record.value().getPostVersion() == 2)
                .findFirst()
                .orElseThrow()
                .value();
        JsonNode fromScratch = predict(port, photo, List.of("Wow!", "Love the colours"));
        assertThat(score.getEngagementScore())
            .isCloseTo(fromScratch.get("engagement_score").asDouble(), within(1e-6));
        assertThat(score.getSentimentScore())
            .isCloseTo(fromScratch.get("sentiment_score").asDouble(), within(1e-6));
      } finally {
        after.close();
      }
    }
  }

  private static JsonNode predict(int port, byte[] image, List<String> comments) throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "raw_text",
                "Sunset over the river #nature",
                "image_base64",
                Base64.getEncoder().encodeToString(image),
                "comments",
                comments));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/predict"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
