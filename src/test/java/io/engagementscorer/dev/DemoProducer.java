package io.engagementscorer.dev;

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
import java.time.Instant;
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
  private static final List<String> TEXTS =
      List.of(
          "Check out this amazing sunset! #beautiful #nature",
          "Golden hour at the harbour 🌅 #travel https://example.com/trip",
          "¡Qué atardecer tan bonito en la playa! #verano",
          "Coucher de soleil magique sur la montagne #voyage @amis",
          "Sonnenuntergang am See, einfach traumhaft #natur",
          "오늘 석양이 정말 아름다워요 #여행",
          "今日の夕焼けは最高でした #旅行",
          "Невероятный закат над рекой #природа",
          "Morning run done, legs are jelly 🏃 #fitness",
          "New recipe: roasted tomatoes and basil #food");
  private static final List<String> COMMENTS =
      List.of(
          "Wow, so beautiful!",
          "Amazing shot!",
          "Love this!",
          "Not my favourite, the colours are off",
          "Terrible lighting, sorry",
          "¡Precioso!",
          "Magnifique !",
          "Wunderschön!",
          "정말 멋져요",
          "すごい！",
          "Красота!",
          "meh",
          "Where is this?");

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
        .setText(TEXTS.get(post % TEXTS.size()))
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
            .ints(count, 0, COMMENTS.size())
            .mapToObj(
                index ->
                    Comment.newBuilder()
                        .setCommentId("comment-" + ++commentCounter)
                        .setText(COMMENTS.get(index))
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
