package io.engagementscorer.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection run's short plan in CI: two instances in processes of their own on a broker
 * process, one instance and then the broker killed with SIGKILL during production. Nothing a {@code
 * read_committed} consumer sees is lost, duplicated, invented or out of order; every post is found
 * from both instances; readiness turns 503 while the broker is gone. The full run is {@code
 * ops/fault-run.sh} (docs/operations.md holds its figures).
 */
class FaultInjectionIT {
  @Test
  void shouldLoseDuplicateAndInventNothingWhenAnInstanceAndTheBrokerAreKilled() throws Exception {
    FaultReport report =
        new FaultInjectionRun(FaultPlan.quick(), Path.of("target", "faults", "it-quick")).run();

    assertThat(report.lost()).as("states never scored").isEmpty();
    assertThat(report.duplicated()).as("states scored twice").isEmpty();
    assertThat(report.invented()).as("scores of states never sent").isEmpty();
    assertThat(report.outOfOrder()).as("posts whose last score is not their newest").isEmpty();
    assertThat(report.failedLookups()).as("lookups that missed the newest score").isEmpty();
    assertThat(report.falseGreens()).as("ready while the broker was gone").isEmpty();
    assertThat(report.passed()).as(report.details()).isTrue();
  }
}
