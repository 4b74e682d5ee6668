package io.engagementscorer.stream;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.scoring.ContentDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Folds a post event into the post's state: the newest text and image win (by event time, so a late
 * older event does not undo a newer change), comments accumulate de-duplicated by comment id and
 * capped at {@code maxComments} (the newest are kept). An inline image leaves the state: the state
 * keeps its sha-256 and the update hands its bytes over to be stored once, so later versions of the
 * post do not carry the image again. Pure: no Kafka types.
 */
final class PostAggregator {
  private PostAggregator() {}

  /**
   * Where the event was read from, carried into the state for dead letters.
   *
   * @param topic source topic
   * @param partition source partition
   * @param offset source offset
   */
  record Source(String topic, int partition, long offset) {}

  /**
   * A changed post.
   *
   * @param state the new state
   * @param inlineImage the bytes of a new inline image to store (the state has their sha-256), or
   *     null when the inline image is unchanged or there is none
   */
  record Update(PostState state, byte[] inlineImage) {}

  /**
   * The post's state after {@code event}, or empty when the event changes nothing (for example a
   * repeated comment), so the post is not scored again.
   *
   * @param current the state so far, or null for a new post
   * @param eventTime the event's time ({@code eventTime}, else the record timestamp)
   */
  static Optional<Update> apply(
      PostState current, PostEvent event, Instant eventTime, int maxComments, Source source) {
    PostState.Builder next =
        current == null
            ? PostState.newBuilder()
                .setPostId(event.getPostId())
                .setText(null)
                .setImage(null)
                .setComments(new ArrayList<>())
                .setVersion(0)
                .setUpdatedAt(Instant.EPOCH)
            : PostState.newBuilder(current);
    boolean changed = current == null;
    boolean newer = current == null || !eventTime.isBefore(current.getUpdatedAt());
    if (newer && event.getText() != null && !event.getText().equals(next.getText())) {
      next.setText(event.getText());
      changed = true;
    }
    ImageReference image = event.getImage();
    if (newer && image != null) {
      String incoming = PostImages.identity(image);
      String present = current == null ? PostImages.NONE : PostImages.identity(current);
      if (incoming == null || !incoming.equals(present)) {
        next.setImage(image).setInlineImageSha256(null);
        changed = true;
      }
    }
    if (newer && (event.getText() != null || event.getImage() != null)) {
      next.setUpdatedAt(eventTime);
    }
    List<Comment> comments = new ArrayList<>(next.getComments());
    Set<String> known = new HashSet<>();
    comments.forEach(comment -> known.add(comment.getCommentId()));
    for (Comment comment : event.getComments()) {
      if (known.add(comment.getCommentId())) {
        comments.add(comment);
        changed = true;
      }
    }
    if (!changed) {
      return Optional.empty();
    }
    // A new inline image, or one that state written before the post-images store still holds.
    byte[] inlineImage = PostImages.inlineBytes(next.getImage());
    if (inlineImage != null) {
      next.setImage(null).setInlineImageSha256(ContentDigest.of(inlineImage).hex());
    }
    if (comments.size() > maxComments) {
      comments = new ArrayList<>(comments.subList(comments.size() - maxComments, comments.size()));
    }
    return Optional.of(
        new Update(
            next.setComments(comments)
                .setVersion(next.getVersion() + 1)
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .build(),
            inlineImage));
  }
}
