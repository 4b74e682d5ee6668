package io.engagementscorer.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks every instance for its readiness every 200 ms for the whole run and records each change of
 * answer, so that the report can say how soon readiness saw a fault and whether it ever answered
 * 200 when it should not have.
 */
final class ReadinessWatcher implements Runnable, AutoCloseable {
  private static final long INTERVAL_MILLIS = 200;

  /**
   * An instance's readiness answer, from {@code atMillis} until the next change.
   *
   * @param instance the instance
   * @param atMillis when it first answered so
   * @param status the HTTP status, -1 when nothing answered
   * @param body the body, or what went wrong
   */
  record Change(String instance, long atMillis, int status, String body) {}

  private final List<ServiceProcess> instances;
  private final List<Change> changes = new ArrayList<>();
  private volatile boolean stopped;

  ReadinessWatcher(List<ServiceProcess> instances) {
    this.instances = instances;
  }

  @Override
  public void run() {
    while (!stopped) {
      for (ServiceProcess instance : instances) {
        ServiceProcess.Readiness answer = instance.readiness();
        record(instance.name(), answer);
      }
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private synchronized void record(String instance, ServiceProcess.Readiness answer) {
    Optional<Change> last =
        changes.stream().filter(change -> change.instance().equals(instance)).reduce((a, b) -> b);
    if (last.isEmpty() || last.get().status() != answer.status()) {
      changes.add(new Change(instance, System.currentTimeMillis(), answer.status(), answer.body()));
    }
  }

  /** Every change of answer so far, oldest first. */
  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  @Override
  public void close() {
    stopped = true;
  }
}
