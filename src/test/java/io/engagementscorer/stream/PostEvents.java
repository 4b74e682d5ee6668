package io.engagementscorer.stream;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.PostEvent;
import java.util.List;

/** Post events and comments for stream tests. */
public final class PostEvents {
  private PostEvents() {}

  /** An event setting {@code text} (null keeps the current one) and adding {@code comments}. */
  public static PostEvent event(String postId, String text, Comment... comments) {
    return PostEvent.newBuilder()
        .setPostId(postId)
        .setText(text)
        .setImage(null)
        .setComments(List.of(comments))
        .setEventTime(null)
        .build();
  }

  /** A comment without a creation time. */
  public static Comment comment(String id, String text) {
    return Comment.newBuilder().setCommentId(id).setText(text).setCreatedAt(null).build();
  }
}
