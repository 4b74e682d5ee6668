package io.engagementscorer.stream;

import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.preprocess.InvalidInputException;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.PostContent;
import io.engagementscorer.scoring.ScoringUnavailableException;
import io.engagementscorer.stream.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes post events, folds them into the post-state store, and marks changed posts pending in a
 * changelogged store, so a crash loses nothing. Pending posts are scored when there are a batch's
 * worth of them or when the punctuator fires, each once with its newest state, through the shared
 * scorer. Scores go to the output and the latest-scores store; what cannot be decoded or scored
 * goes to the dead-letter topic with the reason in headers. A post the scorer cannot take now
 * (queue full, timeout) stays pending for the next punctuation.
 */
final class PostScoringProcessor extends ContextualProcessor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(PostScoringProcessor.class);

  private final StreamScoringSettings settings;
  private final Deserializer<PostEvent> decoder;
  private final EngagementScorer scorer;
  private final ImageResolver images;
  private final DeadLetterCounter deadLetters;

  private KeyValueStore<String, PostState> postStates;
  private KeyValueStore<String, Long> pending;
  private KeyValueStore<String, EngagementScore> latestScores;
  private int pendingCount;

  PostScoringProcessor(
      StreamScoringSettings settings,
      Deserializer<PostEvent> decoder,
      EngagementScorer scorer,
      ImageResolver images,
      MeterRegistry registry) {
    this.settings = settings;
    this.decoder = decoder;
    this.scorer = scorer;
    this.images = images;
    this.deadLetters = new DeadLetterCounter(registry);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    super.init(context);
    postStates = context.getStateStore(ScoringTopology.POST_STATE_STORE);
    pending = context.getStateStore(ScoringTopology.PENDING_STORE);
    latestScores = context.getStateStore(ScoringTopology.LATEST_SCORES_STORE);
    pendingCount = 0;
    try (KeyValueIterator<String, Long> all = pending.all()) {
      all.forEachRemaining(entry -> pendingCount++);
    }
    Duration interval =
        settings.batchMaxDelay().isZero() ? Duration.ofMillis(1) : settings.batchMaxDelay();
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> scorePending());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata source = context().recordMetadata().orElseThrow();
    PostEvent event;
    try {
      event = decode(record);
    } catch (SchemaRegistryUnavailableException e) {
      // Says nothing about the record: stop, and retry it from the last commit (see ScoringStream).
      throw e;
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(
          record.key(),
          record.value(),
          DeadLetters.headers(
              DeadLetters.STAGE_DECODE, e, source.topic(), source.partition(), source.offset()));
      return;
    }
    Instant eventTime =
        event.getEventTime() != null
            ? event.getEventTime()
            : Instant.ofEpochMilli(record.timestamp());
    PostState current = postStates.get(event.getPostId());
    PostAggregator.apply(
            current,
            event,
            eventTime,
            settings.maxComments(),
            new PostAggregator.Source(source.topic(), source.partition(), source.offset()))
        .ifPresent(this::markPending);
    if (pendingCount >= settings.batchMaxSize()) {
      scorePending();
    }
  }

  private PostEvent decode(Record<String, byte[]> record) {
    if (record.value() == null) {
      throw new IllegalArgumentException("the record has no value");
    }
    PostEvent event =
        decoder.deserialize(context().recordMetadata().orElseThrow().topic(), record.value());
    if (event.getPostId() == null || event.getPostId().isBlank()) {
      throw new IllegalArgumentException("the event has no post id");
    }
    if (record.key() != null && !record.key().equals(event.getPostId())) {
      throw new IllegalArgumentException(
          "the record key '"
              + record.key()
              + "' differs from the post id '"
              + event.getPostId()
              + "'");
    }
    return event;
  }

  private void markPending(PostState state) {
    postStates.put(state.getPostId(), state);
    if (pending.get(state.getPostId()) == null) {
      pendingCount++;
    }
    pending.put(state.getPostId(), state.getVersion());
  }

  /** Scores every pending post, a batch at a time so no wait outlives the scoring timeout. */
  void scorePending() {
    List<String> due = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = pending.all()) {
      all.forEachRemaining(entry -> due.add(entry.key));
    }
    for (int start = 0; start < due.size(); start += settings.batchMaxSize()) {
      if (!scoreBatch(due.subList(start, Math.min(due.size(), start + settings.batchMaxSize())))) {
        break;
      }
    }
  }

  /** Scores one batch; false when the scorer was unavailable, so the rest waits for later. */
  private boolean scoreBatch(List<String> postIds) {
    Map<PostState, CompletableFuture<EngagementPrediction>> scoring = new LinkedHashMap<>();
    boolean available = true;
    for (String postId : postIds) {
      PostState state = postStates.get(postId);
      if (state == null) {
        resolve(postId);
        continue;
      }
      try {
        scoring.put(state, scorer.score(contentOf(state)));
      } catch (ScoringUnavailableException e) {
        LOG.warn("Scorer unavailable, pending posts wait: {}", e.getMessage());
        available = false;
        break;
      } catch (InvalidInputException e) {
        deadLetterState(state, stageOf(e), e);
      } catch (RuntimeException e) {
        LOG.warn("Post {}: its image could not be fetched", postId, e);
        deadLetterState(state, DeadLetters.STAGE_IMAGE, e);
      }
    }
    long deadline = System.nanoTime() + settings.scoringTimeout().toNanos();
    for (Map.Entry<PostState, CompletableFuture<EngagementPrediction>> entry : scoring.entrySet()) {
      available &= collect(entry.getKey(), entry.getValue(), deadline);
    }
    return available;
  }

  /** Emits the score or a dead letter; false when the post stays pending (scorer unavailable). */
  private boolean collect(
      PostState state, CompletableFuture<EngagementPrediction> future, long deadline) {
    try {
      EngagementPrediction prediction =
          future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      emit(state, prediction);
      return true;
    } catch (TimeoutException e) {
      LOG.warn("Post {} was not scored in time; it stays pending", state.getPostId());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ScoringUnavailableException || cause instanceof TimeoutException) {
        LOG.warn("Post {} stays pending: {}", state.getPostId(), cause.getMessage());
        return false;
      }
      String stage =
          cause instanceof InvalidInputException invalid
              ? stageOf(invalid)
              : DeadLetters.STAGE_SCORE;
      deadLetterState(state, stage, cause);
      return true;
    }
  }

  private void emit(PostState state, EngagementPrediction prediction) {
    long now = context().currentSystemTimeMs();
    EngagementScore score =
        EngagementScore.newBuilder()
            .setPostId(state.getPostId())
            .setEngagementScore(prediction.engagementScore())
            .setSentimentScore(prediction.sentimentScore())
            .setCleanedText(prediction.cleanedText())
            .setCommentCount(prediction.commentCount())
            .setModelVersion(prediction.modelVersion())
            .setScoredAt(Instant.ofEpochMilli(now))
            .setPostVersion(state.getVersion())
            .build();
    latestScores.put(state.getPostId(), score);
    context().forward(new Record<>(state.getPostId(), score, now), ScoringTopology.SCORES_SINK);
    resolve(state.getPostId());
  }

  private PostContent contentOf(PostState state) {
    List<String> comments = new ArrayList<>(state.getComments().size());
    for (Comment comment : state.getComments()) {
      comments.add(comment.getText());
    }
    String text = state.getText() == null ? "" : state.getText();
    return new PostContent(text, imageOf(state.getImage()), comments);
  }

  private byte[] imageOf(ImageReference image) {
    if (image == null) {
      return null;
    }
    ByteBuffer inline = image.getBytes();
    if ((inline == null) == (image.getUri() == null)) {
      throw new InvalidInputException(
          "invalid_image_reference", "an image reference needs exactly one of bytes and uri");
    }
    if (inline != null) {
      byte[] bytes = new byte[inline.remaining()];
      inline.duplicate().get(bytes);
      return bytes;
    }
    return images.fetch(image.getUri());
  }

  private static String stageOf(InvalidInputException e) {
    return e.problem().contains("image") ? DeadLetters.STAGE_IMAGE : DeadLetters.STAGE_SCORE;
  }

  private void deadLetterState(PostState state, String stage, Throwable failure) {
    LOG.warn(
        "Post {} sent to the dead-letter topic ({}): {}",
        state.getPostId(),
        stage,
        failure.getMessage());
    deadLetter(
        state.getPostId(),
        state.toString().getBytes(StandardCharsets.UTF_8),
        DeadLetters.headers(
            stage,
            failure,
            state.getSourceTopic(),
            state.getSourcePartition(),
            state.getSourceOffset()));
    resolve(state.getPostId());
  }

  private void deadLetter(String key, byte[] value, Headers headers) {
    deadLetters.increment(
        new String(headers.lastHeader(DeadLetters.STAGE).value(), StandardCharsets.UTF_8));
    context()
        .forward(
            new Record<String, Object>(key, value, context().currentSystemTimeMs(), headers),
            ScoringTopology.DEAD_LETTER_SINK);
  }

  private void resolve(String postId) {
    if (pending.delete(postId) != null) {
      pendingCount--;
    }
  }
}
