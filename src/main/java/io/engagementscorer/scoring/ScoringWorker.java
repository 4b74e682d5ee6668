package io.engagementscorer.scoring;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One batcher worker's scoring: a {@link BatchScorer} (with its own predictors) per model it has
 * seen, each holding a lease on that model. A batch is normally all one model; around a swap it is
 * split so every post is scored by the model it was prepared for. Sessions on a replaced model are
 * closed between batches, which lets that model drain and close.
 */
final class ScoringWorker implements MicroBatcher.BatchProcessor<ScoringJob, EngagementPrediction> {
  private final int sentimentBatchSize;
  private final MeterRegistry registry;
  private final IdentityHashMap<ServedModel, BatchScorer> scorers = new IdentityHashMap<>();

  ScoringWorker(int sentimentBatchSize, MeterRegistry registry) {
    this.sentimentBatchSize = sentimentBatchSize;
    this.registry = registry;
  }

  @Override
  public List<EngagementPrediction> process(List<ScoringJob> jobs) {
    Map<ServedModel, List<Integer>> byModel = new LinkedHashMap<>();
    for (int index = 0; index < jobs.size(); index++) {
      byModel.computeIfAbsent(jobs.get(index).model(), model -> new ArrayList<>()).add(index);
    }
    EngagementPrediction[] results = new EngagementPrediction[jobs.size()];
    for (Map.Entry<ServedModel, List<Integer>> group : byModel.entrySet()) {
      List<PreparedPost> posts = new ArrayList<>(group.getValue().size());
      for (int index : group.getValue()) {
        posts.add(jobs.get(index).post());
      }
      List<EngagementPrediction> scored = scorer(group.getKey()).process(posts);
      for (int position = 0; position < scored.size(); position++) {
        results[group.getValue().get(position)] = scored.get(position);
      }
    }
    return Arrays.asList(results);
  }

  private BatchScorer scorer(ServedModel model) {
    return scorers.computeIfAbsent(
        model,
        key -> {
          // The job being scored holds a lease, so the model cannot have closed yet.
          if (!key.tryAcquire()) {
            throw new IllegalStateException("model " + key.version() + " closed under a job");
          }
          return new BatchScorer(key.model(), key.features(), sentimentBatchSize, registry);
        });
  }

  /** Closes the sessions on replaced models, returning their leases. */
  @Override
  public void maintain() {
    Iterator<Map.Entry<ServedModel, BatchScorer>> entries = scorers.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<ServedModel, BatchScorer> entry = entries.next();
      ServedModel model = entry.getKey();
      BatchScorer scorer = entry.getValue();
      if (model.retired()) {
        entries.remove();
        closeSession(model, scorer);
      }
    }
  }

  @Override
  public void close() {
    scorers.forEach(ScoringWorker::closeSession);
    scorers.clear();
  }

  private static void closeSession(ServedModel model, BatchScorer scorer) {
    try {
      scorer.close();
    } finally {
      model.release();
    }
  }
}
