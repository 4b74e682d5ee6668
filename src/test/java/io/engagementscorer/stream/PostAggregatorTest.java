package io.engagementscorer.stream;

import static io.engagementscorer.stream.PostEvents.comment;
import static org.assertj.core.api.Assertions.assertThat;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.scoring.ContentDigest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostAggregatorTest {
  private static final PostAggregator.Source SOURCE = new PostAggregator.Source("posts", 0, 7);
  private static final Instant T1 = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant T2 = T1.plusSeconds(60);

  static PostEvent event(String text, List<Comment> comments) {
    return PostEvents.event("p1", text, comments.toArray(Comment[]::new));
  }

  private static PostState apply(PostState state, PostEvent event, Instant at, int cap) {
    return PostAggregator.apply(state, event, at, cap, SOURCE).orElseThrow().state();
  }

  @Test
  void shouldStartANewPostAtVersionOneWithItsSource() {
    PostState state = apply(null, event("hello", List.of(comment("c1", "nice"))), T1, 10);

    assertThat(state.getPostId()).isEqualTo("p1");
    assertThat(state.getText()).isEqualTo("hello");
    assertThat(state.getComments()).extracting(Comment::getCommentId).containsExactly("c1");
    assertThat(state.getVersion()).isEqualTo(1);
    assertThat(state.getSourceOffset()).isEqualTo(7);
  }

  @Test
  void shouldLetTheNewestTextAndImageWin() {
    PostState first = apply(null, event("old text", List.of()), T1, 10);
    ImageReference image =
        ImageReference.newBuilder().setBytes(null).setUri("s3://bucket/key.png").build();
    PostEvent update = PostEvent.newBuilder(event("new text", List.of())).setImage(image).build();

    PostState second = apply(first, update, T2, 10);

    assertThat(second.getText()).isEqualTo("new text");
    assertThat(second.getImage().getUri()).isEqualTo("s3://bucket/key.png");
    assertThat(second.getVersion()).isEqualTo(2);
  }

  @Test
  void shouldNotLetALateOlderEventUndoANewerTextButStillTakeItsComments() {
    PostState newer = apply(null, event("newer", List.of()), T2, 10);

    PostState after = apply(newer, event("older", List.of(comment("c9", "late"))), T1, 10);

    assertThat(after.getText()).isEqualTo("newer");
    assertThat(after.getComments()).extracting(Comment::getCommentId).containsExactly("c9");
  }

  @Test
  void shouldAccumulateCommentsDeduplicatedById() {
    PostState state =
        apply(null, event(null, List.of(comment("c1", "a"), comment("c2", "b"))), T1, 10);

    PostState after =
        apply(state, event(null, List.of(comment("c2", "b again"), comment("c3", "c"))), T1, 10);

    assertThat(after.getComments())
        .extracting(Comment::getCommentId)
        .containsExactly("c1", "c2", "c3");
    assertThat(after.getComments().get(1).getText()).isEqualTo("b");
  }

  @Test
  void shouldReportNoChangeForAnEventThatOnlyRepeatsKnownComments() {
    PostState state = apply(null, event("t", List.of(comment("c1", "a"))), T1, 10);

    Optional<PostAggregator.Update> after =
        PostAggregator.apply(state, event("t", List.of(comment("c1", "a"))), T1, 10, SOURCE);

    assertThat(after).isEmpty();
  }

  @Test
  void shouldKeepTheNewestCommentsUpToTheCap() {
    PostState state =
        apply(
            null,
            event(null, List.of(comment("c1", "1"), comment("c2", "2"), comment("c3", "3"))),
            T1,
            2);

    assertThat(state.getComments()).extracting(Comment::getCommentId).containsExactly("c2", "c3");
  }

  private static ImageReference inline(int... values) {
    byte[] bytes = new byte[values.length];
    for (int index = 0; index < values.length; index++) {
      bytes[index] = (byte) values[index];
    }
    return ImageReference.newBuilder().setBytes(ByteBuffer.wrap(bytes)).setUri(null).build();
  }

  private static PostEvent withImage(ImageReference image) {
    return PostEvent.newBuilder(event(null, List.of())).setImage(image).build();
  }

  @Test
  void shouldTreatInlineImageBytesAsAnImageChangeAndHandTheBytesOverToBeStoredOnce() {
    PostState first = apply(null, event("t", List.of()), T1, 10);

    PostAggregator.Update second =
        PostAggregator.apply(first, withImage(inline(1, 2)), T2, 10, SOURCE).orElseThrow();

    assertThat(second.inlineImage()).containsExactly(1, 2);
    assertThat(second.state().getImage()).isNull();
    assertThat(second.state().getInlineImageSha256())
        .isEqualTo(ContentDigest.of(new byte[] {1, 2}).hex());
    assertThat(second.state().getText()).isEqualTo("t");
  }

  @Test
  void shouldNotCarryAnUnchangedInlineImageIntoTheNextVersion() {
    PostState withImage = apply(null, withImage(inline(1, 2)), T1, 10);

    PostAggregator.Update comment =
        PostAggregator.apply(withImage, event(null, List.of(comment("c1", "a"))), T2, 10, SOURCE)
            .orElseThrow();

    assertThat(comment.inlineImage()).isNull();
    assertThat(comment.state().getInlineImageSha256()).isEqualTo(withImage.getInlineImageSha256());
  }

  @Test
  void shouldReportNoChangeForTheSameInlineImageSentAgain() {
    PostState withImage = apply(null, withImage(inline(1, 2)), T1, 10);

    assertThat(PostAggregator.apply(withImage, withImage(inline(1, 2)), T2, 10, SOURCE)).isEmpty();
  }

  @Test
  void shouldMoveTheInlineBytesOfStateWrittenBeforeThePostImagesStoreOutOnItsNextChange() {
    PostState legacy =
        PostState.newBuilder(apply(null, event("t", List.of()), T1, 10))
            .setImage(inline(7, 8, 9))
            .build();

    PostAggregator.Update next =
        PostAggregator.apply(legacy, event(null, List.of(comment("c1", "a"))), T2, 10, SOURCE)
            .orElseThrow();

    assertThat(next.inlineImage()).containsExactly(7, 8, 9);
    assertThat(next.state().getImage()).isNull();
    assertThat(next.state().getInlineImageSha256())
        .isEqualTo(ContentDigest.of(new byte[] {7, 8, 9}).hex());
    assertThat(PostAggregator.apply(legacy, withImage(inline(7, 8, 9)), T2, 10, SOURCE)).isEmpty();
  }

  @Test
  void shouldReplaceAnInlineImageByAUri() {
    PostState withImage = apply(null, withImage(inline(1, 2)), T1, 10);
    ImageReference uri = ImageReference.newBuilder().setBytes(null).setUri("s3://b/k.png").build();

    PostAggregator.Update next =
        PostAggregator.apply(withImage, withImage(uri), T2, 10, SOURCE).orElseThrow();

    assertThat(next.inlineImage()).isNull();
    assertThat(next.state().getInlineImageSha256()).isNull();
    assertThat(next.state().getImage().getUri()).isEqualTo("s3://b/k.png");
  }
}
