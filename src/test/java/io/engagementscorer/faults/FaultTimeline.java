package io.engagementscorer.faults;

import java.util.ArrayList;
import java.util.List;

/** When each fault of a run actually happened: the kill, and the target serving again. */
final class FaultTimeline {
  /**
   * One injected fault.
   *
   * @param fault what the plan asked for
   * @param killedAtMillis when the SIGKILL was sent
   * @param restartedAtMillis when the target was started again (for the broker: when it served)
   */
  record Injected(FaultPlan.Fault fault, long killedAtMillis, long restartedAtMillis) {
    boolean isBroker() {
      return fault.target().equals(FaultPlan.BROKER);
    }
  }

  private final List<Injected> injected = new ArrayList<>();

  synchronized void add(Injected fault) {
    injected.add(fault);
  }

  synchronized List<Injected> injected() {
    return List.copyOf(injected);
  }
}
