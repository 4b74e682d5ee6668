package io.engagementscorer.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RescoreProgressTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong();
  private final RescoreProgress progress = new RescoreProgress(true, registry, now::get);

  @Test
  void shouldAddUpTheTasksAndEstimateTheTimeLeftFromTheRateSeenHere() {
    progress.report("0_0", "v2", 100, 1_000, false);
    progress.report("0_1", "v2", 0, 1_000, false);
    now.addAndGet(10_000_000_000L);
    progress.report("0_0", "v2", 300, 1_000, false);
    progress.report("0_1", "v2", 200, 1_000, false);

    RescoreProgress.Snapshot snapshot = progress.snapshot();
    assertThat(snapshot.done()).isEqualTo(500);
    assertThat(snapshot.total()).isEqualTo(2_000);
    assertThat(snapshot.running()).isEqualTo(2);
    // 400 posts in 10 s here (what was done before this instance took over does not count).
    assertThat(snapshot.postsPerSecond()).isEqualTo(40, within(1e-9));
    assertThat(snapshot.secondsLeft()).isEqualTo(38L);
    assertThat(snapshot.targetVersions()).containsExactly("v2");
    assertThat(registry.get("engagement.rescore.pass.posts").gauge().value()).isEqualTo(2_000);
  }

  @Test
  void shouldForgetATaskThatMovedAndReportFinishedPasses() {
    progress.report("0_0", "v2", 10, 10, true);
    progress.report("0_1", "v2", 5, 10, false);
    progress.forget("0_1");

    RescoreProgress.Snapshot snapshot = progress.snapshot();
    assertThat(snapshot.tasks()).isEqualTo(1);
    assertThat(snapshot.running()).isZero();
    assertThat(snapshot.secondsLeft()).isNull();
    progress.count(RescoreProgress.Outcome.SKIPPED);
    assertThat(registry.get("engagement.rescore.posts").tag("outcome", "skipped").counter().count())
        .isEqualTo(1);
  }
}
