package io.engagementscorer.http;

import io.engagementscorer.scoring.EngagementScorer;
import io.engagementscorer.scoring.ServedModel;
import io.engagementscorer.stream.StreamsStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Liveness and readiness, each as the list of what is wrong (empty when all is well), for the probe
 * endpoints, the health endpoint and two gauges that alerts read. Alive: nothing is broken beyond
 * recovery, so a restart would not help. Ready: this instance can take traffic and its share of the
 * stream now.
 */
final class HealthChecks {
  private final EngagementScorer scorer;
  private final StreamsStatus streams;

  HealthChecks(EngagementScorer scorer, StreamsStatus streams) {
    this.scorer = scorer;
    this.streams = streams;
  }

  /** Why this instance needs a restart; empty while it works or can recover by itself. */
  List<String> notAliveReasons() {
    List<String> reasons = new ArrayList<>();
    if (scorer.closed()) {
      reasons.add("the scorer is closed");
    }
    streams.failure().ifPresent(reasons::add);
    return reasons;
  }

  /**
   * Why this instance should get no traffic now: the model is not served or failed its self-check,
   * or the stream is not ready ({@link StreamsStatus#notReadyReasons()}); empty when it is ready.
   */
  List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>(notAliveReasons());
    ServedModel served = scorer.current();
    if (!served.ready()) {
      reasons.add("model " + served.version() + " failed its self-check");
    }
    reasons.addAll(streams.notReadyReasons());
    return reasons;
  }

  /** {@code engagement_alive} and {@code engagement_ready}: 1 or 0, as the endpoints answer. */
  void bindTo(MeterRegistry registry) {
    Gauge.builder("engagement.alive", this, checks -> checks.notAliveReasons().isEmpty() ? 1 : 0)
        .description("1 while GET /api/v1/health/live answers 200")
        .register(registry);
    Gauge.builder("engagement.ready", this, checks -> checks.notReadyReasons().isEmpty() ? 1 : 0)
        .description("1 while GET /api/v1/health/ready answers 200")
        .register(registry);
  }
}
