package io.engagementscorer.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Makes realistic sample posts: a picture drawn for each post (sky gradient, sun, hills), text in
 * several languages with hashtags, mentions, links and emoji, and comments that keep arriving for
 * the same posts over time.
 */
final class DemoProducer implements Runnable {
  // The same samples as the Compose stack's demo producer (ops/compose/demo_producer.py).
  private static final Path SAMPLES = Path.of("ops/compose/demo-posts.json");

  private final List<String> texts;
  private final List<String> commentTexts;
  private final Consumer<PostEvent> publish;
  private final int posts;
  private final long pauseMillis;
  private final Random random = new Random(2026);
  private volatile boolean running = true;
  private int commentCounter;

  DemoProducer(Consumer<PostEvent> publish, int posts, long pauseMillis) {
    this.publish = publish;
    this.posts = posts;
    this.pauseMillis = pauseMillis;
    JsonNode samples = readSamples();
    this.texts = strings(samples.get("texts"));
    this.commentTexts = strings(samples.get("comments"));
  }

  /** Run from the repository root, as ops/local-stack.sh does. */
  private static JsonNode readSamples() {
    try {
      return new ObjectMapper().readTree(Files.readString(SAMPLES, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the demo samples " + SAMPLES.toAbsolutePath(), e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return List.copyOf(values);
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    for (int post = 0; post < posts && running; post++) {
      publish.accept(newPost(post));
      pause();
    }
    while (running) {
      String postId = "demo-" + random.nextInt(posts);
      publish.accept(commentsFor(postId, 1 + random.nextInt(3)));
      pause();
    }
  }

  private PostEvent newPost(int post) {
    return PostEvent.newBuilder()
        .setPostId("demo-" + post)
        .setText(texts.get(post % texts.size()))
        .setImage(
            ImageReference.newBuilder()
                .setBytes(ByteBuffer.wrap(picture(post)))
                .setUri(null)
                .build())
        .setComments(commentsFor("demo-" + post, random.nextInt(3)).getComments())
        .setEventTime(Instant.now())
        .build();
  }

  private PostEvent commentsFor(String postId, int count) {
    List<Comment> comments =
        random
            .ints(count, 0, commentTexts.size())
            .mapToObj(
                index ->
                    Comment.newBuilder()
                        .setCommentId("comment-" + ++commentCounter)
                        .setText(commentTexts.get(index))
                        .setCreatedAt(Instant.now())
                        .build())
            .toList();
    return PostEvent.newBuilder()
        .setPostId(postId)
        .setText(null)
        .setImage(null)
        .setComments(comments)
        .setEventTime(Instant.now())
        .build();
  }

  private byte[] picture(int seed) {
    Random shapes = new Random(seed);
    BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setPaint(
        new GradientPaint(
            0,
            0,
            new Color(40 + shapes.nextInt(80), 60, 160),
            0,
            160,
            new Color(250, 120 + shapes.nextInt(100), 60)));
    g.fillRect(0, 0, 320, 240);
    g.setColor(new Color(255, 220, 120));
    int sun = 30 + shapes.nextInt(30);
    g.fillOval(40 + shapes.nextInt(200), 60 + shapes.nextInt(60), sun, sun);
    g.setColor(new Color(30, 70 + shapes.nextInt(60), 40));
    g.fillOval(-60, 170, 260, 160);
    g.fillOval(120, 160, 300, 180);
    g.dispose();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return png.toByteArray();
  }

  private void pause() {
    try {
      Thread.sleep(pauseMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
