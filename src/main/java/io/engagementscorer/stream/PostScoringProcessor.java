package io.engagementscorer.stream;

import io.engagementscorer.avro.CandidateScore;
import io.engagementscorer.avro.Comment;
import io.engagementscorer.avro.CommentSentiment;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.avro.ImageReference;
import io.engagementscorer.avro.PostEncoding;
import io.engagementscorer.avro.PostEvent;
import io.engagementscorer.avro.PostState;
import io.engagementscorer.errors.DeadLetterStage;
import io.engagementscorer.errors.InputProblem;
import io.engagementscorer.errors.InvalidInputException;
import io.engagementscorer.errors.ScoringUnavailableException;
import io.engagementscorer.rollout.CandidateComparison.Miss;
import io.engagementscorer.scoring.ContentDigest;
import io.engagementscorer.scoring.EngagementPrediction;
import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.KnownFeatures;
import io.engagementscorer.scoring.Lane;
import io.engagementscorer.scoring.PostFeatures;
import io.engagementscorer.scoring.ScoringRequest;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.stream.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
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
 * Decodes post events, folds them into the post-state store (an inline image goes once into the
 * post-images store), and marks changed posts pending in a changelogged store, so a crash loses
 * nothing. When a batch's worth of posts is pending, or when the punctuator fires, the pending
 * posts not already being scored are submitted, each once with its newest state, to the shared
 * scorer, without waiting: the stream thread keeps processing, and posts from every task share
 * batches. Finished scores are collected on later calls and written to the output and the
 * latest-scores store in the same transaction that removes them from the pending store; what cannot
 * be decoded or scored goes to the dead-letter topic with the reason in headers. A post the scorer
 * cannot take now (queue full, timeout) stays pending and is submitted again.
 *
 * <p>With a candidate model, a sampled share of posts (by a hash of the post id) is scored by the
 * candidate too, behind all served work; its score goes to the candidate topic in the same
 * transaction as the served score of the same state, or, when it is not ready within {@code
 * CANDIDATE_MAX_WAIT_MS} of the served score, not at all (counted as late). With re-scoring on a
 * model change, a {@link StoredPostRescorer} scores the stored posts again for a new served
 * version.
 *
 * <p>What a score was computed from is kept for the post's next change, in changelogged stores so
 * that it survives a restart or a partition move: the CLIP features of its image and text
 * (post-encodings, rewritten only when they change) and its comments' sentiment
 * (comment-sentiment). A post is submitted with them, so a change that only adds a comment runs the
 * sentiment classifier on that comment and neither encoder, and needs no image fetch. Features of
 * another model than the one serving are not used.
 */
final class PostScoringProcessor extends ContextualProcessor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(PostScoringProcessor.class);

  private final StreamScoringSettings settings;
  private final Deserializer<PostEvent> decoder;
  private final EngagementScorer scorer;
  private final ImageResolver images;
  private final Executor preparation;
  private final Semaphore inFlightPermits;
  private final DeadLetterCounter deadLetters;
  private final StreamRollout rollout;

  private KeyValueStore<String, PostState> postStates;
  private KeyValueStore<String, Long> pending;
  private KeyValueStore<String, EngagementScore> latestScores;
  private KeyValueStore<String, byte[]> postImages;
  private KeyValueStore<String, PostEncoding> encodings;
  private KeyValueStore<String, CommentSentiment> sentiments;
  private StoredPostRescorer rescorer;
  private int pendingCount;
  // In memory only: after a crash or a rebalance the pending store still holds these posts.
  private final Map<String, InFlight> inFlight = new HashMap<>();

  /** An image reference that could not be fetched, after the fetcher's own retries. */
  private static final class ImageFetchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ImageFetchFailure(String uri, Throwable cause) {
      super("image " + uri + " could not be fetched: " + cause.getMessage(), cause);
    }
  }

  /**
   * A post being scored, with the state that was submitted, and its candidate score when the post
   * is sampled.
   */
  private static final class InFlight {
    final PostState state;
    final CompletableFuture<EngagementPrediction> result;
    // The batcher's own future of the candidate's job, so that a late one can be cancelled there.
    final AtomicReference<CompletableFuture<EngagementPrediction>> candidateJob =
        new AtomicReference<>();
    CompletableFuture<EngagementPrediction> candidate;
    String candidateVersion;
    long candidateSubmittedNanos;
    volatile long candidateDoneNanos;
    // When the served score was first seen ready while the candidate's was not; 0 until then.
    long servedReadyNanos;

    InFlight(PostState state, CompletableFuture<EngagementPrediction> result) {
      this.state = state;
      this.result = result;
    }

    CompletableFuture<EngagementPrediction> result() {
      return result;
    }

    PostState state() {
      return state;
    }

    void cancelCandidate() {
      CompletableFuture<EngagementPrediction> job = candidateJob.get();
      if (job != null) {
        job.cancel(false);
      }
    }
  }

  PostScoringProcessor(
      StreamScoringSettings settings,
      Deserializer<PostEvent> decoder,
      EngagementScorer scorer,
      ImageResolver images,
      Executor preparation,
      Semaphore inFlightPermits,
      StreamRollout rollout,
      MeterRegistry registry) {
    this.settings = settings;
    this.rollout = rollout;
    this.decoder = decoder;
    this.scorer = scorer;
    this.images = images;
    this.preparation = preparation;
    this.inFlightPermits = inFlightPermits;
    this.deadLetters = new DeadLetterCounter(registry);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    super.init(context);
    postStates = context.getStateStore(ScoringTopology.POST_STATE_STORE);
    pending = context.getStateStore(ScoringTopology.PENDING_STORE);
    latestScores = context.getStateStore(ScoringTopology.LATEST_SCORES_STORE);
    postImages = context.getStateStore(ScoringTopology.POST_IMAGES_STORE);
    encodings = context.getStateStore(ScoringTopology.POST_ENCODINGS_STORE);
    sentiments = context.getStateStore(ScoringTopology.COMMENT_SENTIMENT_STORE);
    pendingCount = 0;
    try (KeyValueIterator<String, Long> all = pending.all()) {
      all.forEachRemaining(entry -> pendingCount++);
    }
    rescorer =
        new StoredPostRescorer(
            context.taskId().toString(),
            scorer,
            preparation,
            rollout,
            settings.batchMaxSize(),
            this::requestOf,
            this::emit,
            postStates,
            pending,
            latestScores,
            context.getStateStore(ScoringTopology.RESCORE_PROGRESS_STORE));
    rescorer.resume();
    Duration interval =
        settings.batchMaxDelay().isZero() ? Duration.ofMillis(1) : settings.batchMaxDelay();
    context.schedule(
        interval,
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          collectAndSubmit();
          rescorer.step(now);
        });
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
              DeadLetterStage.DECODE, e, source.topic(), source.partition(), source.offset()));
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
        .ifPresent(update -> apply(current, update));
    if (pendingCount - inFlight.size() >= settings.batchMaxSize()) {
      collectAndSubmit();
    } else {
      collectCompleted();
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

  private void apply(PostState current, PostAggregator.Update update) {
    PostState state = update.state();
    if (update.inlineImage() != null) {
      postImages.put(state.getPostId(), update.inlineImage());
    } else if (current != null
        && current.getInlineImageSha256() != null
        && state.getInlineImageSha256() == null) {
      postImages.delete(state.getPostId());
    }
    markPending(state);
  }

  private void markPending(PostState state) {
    postStates.put(state.getPostId(), state);
    if (pending.get(state.getPostId()) == null) {
      pendingCount++;
    }
    pending.put(state.getPostId(), state.getVersion());
  }

  private void collectAndSubmit() {
    collectCompleted();
    submitPending();
  }

  /** Submits pending posts that are not being scored yet, up to the in-flight limit. */
  private void submitPending() {
    // With a backlog, the pending store is large: do not walk it when nothing can be submitted.
    if (inFlightPermits.availablePermits() == 0) {
      return;
    }
    List<String> due = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = pending.all()) {
      all.forEachRemaining(
          entry -> {
            if (!inFlight.containsKey(entry.key)) {
              due.add(entry.key);
            }
          });
    }
    for (String postId : due) {
      PostState state = postStates.get(postId);
      if (state == null) {
        resolve(postId);
        continue;
      }
      // Shared by every task of this instance: submitting more than the scorer can run soon only
      // prepares posts that the full queue then refuses.
      if (!inFlightPermits.tryAcquire()) {
        return;
      }
      // The stores are read here, on the stream thread; fetching and preparing run on the
      // preparation pool, so the stream thread never waits.
      ScoringRequest request = requestOf(state);
      Optional<ServedModel> candidate =
          rollout.shadowScoring() && rollout.sampler().sampled(postId)
              ? scorer.candidate()
              : Optional.empty();
      ScoringRequest shadow = null;
      if (candidate.isPresent()) {
        // Both models read the image through one supplier, so it is fetched once; the candidate
        // knows none of the served model's features.
        request =
            new ScoringRequest(
                request.rawText(), once(request.image()), request.comments(), request.known());
        shadow =
            new ScoringRequest(
                request.rawText(), request.image(), request.comments(), KnownFeatures.NONE);
      }
      InFlight post =
          new InFlight(
              state,
              CompletableFuture.completedFuture(request)
                  .thenComposeAsync(live -> scorer.score(live, Lane.STREAM), preparation));
      if (shadow != null) {
        submitCandidate(post, candidate.get(), shadow);
      }
      inFlight.put(postId, post);
    }
  }

  /** Scores the post with the candidate too, in the lane behind all served work. */
  private void submitCandidate(InFlight post, ServedModel model, ScoringRequest shadow) {
    post.candidateVersion = model.version();
    post.candidateSubmittedNanos = System.nanoTime();
    post.candidate =
        CompletableFuture.completedFuture(shadow)
            .thenComposeAsync(
                request -> {
                  CompletableFuture<EngagementPrediction> job = scorer.scoreWithCandidate(request);
                  post.candidateJob.set(job);
                  return job;
                },
                preparation)
            .whenComplete((score, failure) -> post.candidateDoneNanos = System.nanoTime());
  }

  private static Supplier<byte[]> once(Supplier<byte[]> image) {
    if (image == null) {
      return null;
    }
    return new Supplier<>() {
      private byte[] bytes;

      @Override
      public synchronized byte[] get() {
        if (bytes == null) {
          bytes = image.get();
        }
        return bytes;
      }
    };
  }

  /**
   * Emits the scores (or dead letters) of posts whose scoring finished, and what re-scoring
   * finished. A sampled post's served score waits for its candidate score, up to {@code
   * CANDIDATE_MAX_WAIT_MS}.
   */
  private void collectCompleted() {
    long now = System.nanoTime();
    Iterator<InFlight> running = inFlight.values().iterator();
    while (running.hasNext()) {
      InFlight post = running.next();
      if (post.result().isDone()
          && (post.result().isCompletedExceptionally() || candidateSettled(post, now))) {
        running.remove();
        inFlightPermits.release();
        collect(post);
      }
    }
    rescorer.collect();
  }

  /** Whether a post with a ready served score need not wait longer for its candidate score. */
  private boolean candidateSettled(InFlight post, long now) {
    if (post.candidate == null || post.candidate.isDone()) {
      return true;
    }
    if (post.servedReadyNanos == 0) {
      post.servedReadyNanos = now;
    }
    return now - post.servedReadyNanos >= rollout.candidateMaxWait().toNanos();
  }

  private void collect(InFlight post) {
    PostState state = post.state();
    try {
      EngagementPrediction served = post.result().join();
      emit(state, served);
      publishCandidate(post, served);
    } catch (CompletionException | CancellationException e) {
      // Neither score goes out now; a post that stays pending is scored by both again.
      if (post.candidate != null) {
        post.cancelCandidate();
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ScoringUnavailableException || cause instanceof TimeoutException) {
        LOG.warn(
            "Post {} stays pending: {}",
            state.getPostId(),
            cause instanceof TimeoutException
                ? "its score did not come within SCORING_TIMEOUT_MS"
                : cause.getMessage());
        return;
      }
      // The fetch failure itself, not the marker that says where it happened, goes in the headers.
      Throwable reported = cause instanceof ImageFetchFailure ? cause.getCause() : cause;
      deadLetterState(state, stageOf(cause), reported);
    }
  }

  /** Publishes the candidate's score beside the served one, in the same transaction. */
  private void publishCandidate(InFlight post, EngagementPrediction served) {
    if (post.candidate == null) {
      return;
    }
    String servedVersion = served.score().modelVersion();
    if (!post.candidate.isDone()) {
      post.cancelCandidate();
      rollout.comparison().miss(servedVersion, post.candidateVersion, Miss.LATE);
      return;
    }
    EngagementPrediction shadow;
    try {
      shadow = post.candidate.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.debug("Post {} has no candidate score: {}", post.state.getPostId(), cause.toString());
      rollout.comparison().miss(servedVersion, post.candidateVersion, Miss.FAILED);
      return;
    }
    long now = context().currentSystemTimeMs();
    CandidateScore record =
        ScoreRecords.toCandidate(
            post.state.getPostId(),
            shadow.score(),
            Instant.ofEpochMilli(now),
            post.state.getVersion(),
            served.score());
    context()
        .forward(
            new Record<String, Object>(post.state.getPostId(), record, now),
            ScoringTopology.CANDIDATE_SINK);
    rollout
        .comparison()
        .record(
            servedVersion,
            served.score().engagementScore(),
            shadow.score().modelVersion(),
            shadow.score().engagementScore(),
            Duration.ofNanos(post.candidateDoneNanos - post.candidateSubmittedNanos));
  }

  private void emit(PostState state, EngagementPrediction prediction) {
    long now = context().currentSystemTimeMs();
    EngagementScore score =
        ScoreRecords.toAvro(
            state.getPostId(), prediction.score(), Instant.ofEpochMilli(now), state.getVersion());
    latestScores.put(state.getPostId(), score);
    keepFeatures(state, prediction.features());
    context().forward(new Record<>(state.getPostId(), score, now), ScoringTopology.SCORES_SINK);
    resolveIfUnchanged(state);
  }

  /** The post to score, with what its last score kept; reads the stores (stream thread only). */
  private ScoringRequest requestOf(PostState state) {
    List<String> comments = new ArrayList<>(state.getComments().size());
    for (Comment comment : state.getComments()) {
      comments.add(comment.getText());
    }
    String text = state.getText() == null ? "" : state.getText();
    return new ScoringRequest(text, imageOf(state), comments, knownFeatures(state));
  }

  /** What the post's last score kept, of one model (the comments' model, when they differ). */
  private KnownFeatures knownFeatures(PostState state) {
    PostEncoding encoding = encodings.get(state.getPostId());
    CommentSentiment sentiment = sentiments.get(state.getPostId());
    if (encoding == null && sentiment == null) {
      return KnownFeatures.NONE;
    }
    String modelKey = sentiment != null ? sentiment.getModelKey() : encoding.getModelKey();
    Map<ContentDigest, float[]> probabilities = new HashMap<>();
    if (sentiment != null) {
      List<ContentDigest> digests = FeatureBytes.digests(sentiment.getCommentSha256());
      List<float[]> rows = FeatureBytes.floatRows(sentiment.getProbabilities(), digests.size());
      for (int index = 0; index < digests.size(); index++) {
        probabilities.put(digests.get(index), rows.get(index));
      }
    }
    if (encoding == null || !encoding.getModelKey().equals(modelKey)) {
      return new KnownFeatures(modelKey, null, null, null, null, probabilities);
    }
    // Image features count only for the image they came from; text features are checked by digest.
    boolean sameImage = encoding.getImageRef().equals(PostImages.identity(state));
    return new KnownFeatures(
        modelKey,
        sameImage ? ContentDigest.fromHex(encoding.getImageSha256()) : null,
        sameImage ? FeatureBytes.floats(encoding.getImageFeatures()) : null,
        ContentDigest.fromHex(encoding.getTextSha256()),
        FeatureBytes.floats(encoding.getTextFeatures()),
        probabilities);
  }

  /**
   * Supplies the post's image bytes when the scorer needs them: inline bytes are read from the
   * store now (cheap, and stores are read on the stream thread only); a URI is fetched only if
   * called, on the preparation pool.
   */
  private Supplier<byte[]> imageOf(PostState state) {
    if (state.getInlineImageSha256() != null) {
      byte[] bytes = postImages.get(state.getPostId());
      return () -> {
        if (bytes == null) {
          throw new IllegalStateException(
              "the inline image of post "
                  + state.getPostId()
                  + " is missing from the "
                  + ScoringTopology.POST_IMAGES_STORE
                  + " store");
        }
        return bytes;
      };
    }
    ImageReference image = state.getImage();
    if (image == null) {
      return null;
    }
    byte[] inline = PostImages.inlineBytes(image);
    if (inline != null) {
      return () -> inline;
    }
    return () -> {
      if (image.getBytes() != null || image.getUri() == null) {
        throw new InvalidInputException(
            InputProblem.INVALID_IMAGE_REFERENCE,
            "an image reference needs exactly one of bytes and uri");
      }
      try {
        return images.fetch(image.getUri());
      } catch (InvalidInputException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ImageFetchFailure(image.getUri(), e);
      }
    };
  }

  /** Keeps what the score was computed from, rewriting a store only where it changed. */
  private void keepFeatures(PostState state, PostFeatures features) {
    String postId = state.getPostId();
    if (features.imageFeatures() != null && features.textFeatures() != null) {
      PostEncoding encoding =
          PostEncoding.newBuilder()
              .setModelKey(features.modelKey())
              .setImageRef(PostImages.identity(state))
              .setImageSha256(features.imageDigest().hex())
              .setImageFeatures(FeatureBytes.ofFloats(features.imageFeatures()))
              .setTextSha256(features.textDigest().hex())
              .setTextFeatures(FeatureBytes.ofFloats(features.textFeatures()))
              .build();
      if (!sameEncoding(encodings.get(postId), encoding)) {
        encodings.put(postId, encoding);
      }
    }
    CommentSentiment sentiment =
        CommentSentiment.newBuilder()
            .setModelKey(features.modelKey())
            .setCommentSha256(FeatureBytes.ofDigests(features.commentDigests()))
            .setProbabilities(FeatureBytes.ofFloatRows(features.commentProbabilities()))
            .build();
    CommentSentiment kept = sentiments.get(postId);
    boolean same =
        kept == null
            ? features.commentDigests().isEmpty()
            : kept.getModelKey().equals(sentiment.getModelKey())
                && kept.getCommentSha256().equals(sentiment.getCommentSha256());
    if (!same) {
      sentiments.put(postId, sentiment);
    }
  }

  private static boolean sameEncoding(PostEncoding kept, PostEncoding next) {
    return kept != null
        && kept.getModelKey().equals(next.getModelKey())
        && kept.getImageRef().equals(next.getImageRef())
        && kept.getImageSha256().equals(next.getImageSha256())
        && kept.getTextSha256().equals(next.getTextSha256());
  }

  private static DeadLetterStage stageOf(Throwable failure) {
    if (failure instanceof InvalidInputException invalid) {
      return invalid.problem().deadLetterStage();
    }
    // Anything else before scoring is the image fetch failing after its retries.
    return failure instanceof ImageFetchFailure ? DeadLetterStage.IMAGE : DeadLetterStage.SCORE;
  }

  private void deadLetterState(PostState state, DeadLetterStage stage, Throwable failure) {
    LOG.warn(
        "Post {} sent to the dead-letter topic ({}): {}",
        state.getPostId(),
        stage.value(),
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

  // A post that changed while it was being scored stays pending: its newer state is scored next.
  private void resolveIfUnchanged(PostState scored) {
    Long version = pending.get(scored.getPostId());
    if (version != null && version == scored.getVersion()) {
      resolve(scored.getPostId());
    }
  }

  private void resolve(String postId) {
    if (pending.delete(postId) != null) {
      pendingCount--;
    }
  }

  /**
   * Forgets posts in flight: their task moves or closes, and its pending store keeps them (and the
   * re-scoring pass its cursor).
   */
  @Override
  public void close() {
    inFlight.values().forEach(InFlight::cancelCandidate);
    inFlightPermits.release(inFlight.size());
    inFlight.clear();
    if (rescorer != null) {
      rescorer.close();
    }
  }
}
