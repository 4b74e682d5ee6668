package io.engagementscorer.faults;

import io.engagementscorer.faults.EventLedger.SentEvent;
import io.engagementscorer.faults.FaultTimeline.Injected;
import io.engagementscorer.faults.ReadinessWatcher.Change;
import io.engagementscorer.faults.ScoreWatcher.SeenScore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a fault-injection run proved: scores lost, duplicated, invented or out of order in what a
 * {@code read_committed} consumer saw, lookups that failed, how readiness answered around each
 * fault, and how long after each fault every input partition was scored again.
 *
 * <p>A post's {@code n}-th event makes version {@code n} with {@code n - 1} comments. A score is
 * <em>lost</em> when a post's newest acknowledged version was never scored, <em>duplicated</em>
 * when one (post, version) was scored twice, <em>invented</em> when its post or version was never
 * sent or its comment count does not match its version, and <em>out of order</em> when a post's
 * last score is not of its newest version. The recovery time of a fault is, over the input
 * partitions, the longest time from the kill until the first event sent on that partition after the
 * kill was visible as a score.
 */
final class FaultReport {
  /** Readiness must turn 503 within this long of losing the broker (issue 11). */
  static final Duration READINESS_FLIP = Duration.ofSeconds(10);

  /**
   * How precisely the run knows when the broker served again: it asks every 200 ms, and an
   * instance's own probe may hear it first. A 200 this close before that moment is not a false
   * green.
   */
  static final Duration SERVED_RESOLUTION = Duration.ofSeconds(1);

  private final FaultPlan plan;
  private final EventLedger ledger;
  private final List<SeenScore> seen;
  private final List<Change> readiness;
  private final List<Injected> faults;
  private final Map<String, String> failedLookups;
  private final int lookups;
  private final Map<String, Map<String, Long>> logSignals;
  private final Map<String, Long> finalVersions;

  private final List<String> lost = new ArrayList<>();
  private final List<String> duplicated = new ArrayList<>();
  private final List<String> invented = new ArrayList<>();
  private final List<String> outOfOrder = new ArrayList<>();
  private final Map<String, Long> firstSeenAt = new HashMap<>();

  FaultReport(
      FaultPlan plan,
      EventLedger ledger,
      List<SeenScore> seen,
      List<Change> readiness,
      List<Injected> faults,
      Map<String, String> failedLookups,
      int lookups,
      Map<String, Map<String, Long>> logSignals) {
    this.plan = plan;
    this.ledger = ledger;
    this.seen = seen;
    this.readiness = readiness;
    this.faults = faults;
    this.failedLookups = failedLookups;
    this.lookups = lookups;
    this.logSignals = logSignals;
    this.finalVersions = ledger.finalVersions();
    verifyScores();
  }

  private void verifyScores() {
    Set<String> states = new HashSet<>();
    Map<String, SeenScore> last = new HashMap<>();
    for (SeenScore score : seen) {
      String state = score.postId() + "@" + score.version();
      firstSeenAt.putIfAbsent(state, score.seenAtMillis());
      if (!states.add(state)) {
        duplicated.add(state);
      }
      Long newest = finalVersions.get(score.postId());
      if (newest == null || score.version() < 1 || score.version() > newest) {
        invented.add(state + " (never sent)");
      } else if (score.commentCount() != score.version() - 1) {
        invented.add(state + " with " + score.commentCount() + " comments");
      }
      last.put(score.postId(), score);
    }
    finalVersions.forEach(
        (post, version) -> {
          if (!states.contains(post + "@" + version)) {
            lost.add(post + "@" + version);
          } else if (last.get(post).version() != version) {
            outOfOrder.add(post + " ends at version " + last.get(post).version());
          }
        });
  }

  /** When the score of {@code postId} at {@code version} or later first became visible. */
  private OptionalLong visibleAt(String postId, long version) {
    return seen.stream()
        .filter(score -> score.postId().equals(postId) && score.version() >= version)
        .mapToLong(SeenScore::seenAtMillis)
        .min();
  }

  /** The recovery time of {@code fault}; empty when some partition was never scored again. */
  Optional<Duration> recovery(Injected fault) {
    long longest = 0;
    for (SentEvent first : ledger.firstEventPerPartitionFrom(fault.killedAtMillis()).values()) {
      OptionalLong visible = visibleAt(first.postId(), first.version());
      if (visible.isEmpty()) {
        return Optional.empty();
      }
      longest = Math.max(longest, visible.getAsLong() - fault.killedAtMillis());
    }
    return Optional.of(Duration.ofMillis(longest));
  }

  /** Median, 99th percentile and largest time from sending an event to seeing its score. */
  private List<Duration> endToEndLatencies() {
    List<Long> latencies = new ArrayList<>();
    Map<String, List<SeenScore>> byPost = new HashMap<>();
    seen.forEach(
        score -> byPost.computeIfAbsent(score.postId(), post -> new ArrayList<>()).add(score));
    for (SentEvent event : ledger.events()) {
      byPost.getOrDefault(event.postId(), List.of()).stream()
          .filter(score -> score.version() >= event.version())
          .mapToLong(SeenScore::seenAtMillis)
          .min()
          .ifPresent(at -> latencies.add(at - event.sentAtMillis()));
    }
    latencies.sort(Long::compare);
    if (latencies.isEmpty()) {
      return List.of();
    }
    return List.of(
        Duration.ofMillis(latencies.get(latencies.size() / 2)),
        Duration.ofMillis(
            latencies.get((int) Math.min(latencies.size() - 1, latencies.size() * 0.99))),
        Duration.ofMillis(latencies.get(latencies.size() - 1)));
  }

  /** An instance's readiness status at {@code millis}: its last change before then. */
  private int statusAt(String instance, long millis) {
    int status = -1;
    for (Change change : readiness) {
      if (change.instance().equals(instance) && change.atMillis() <= millis) {
        status = change.status();
      }
    }
    return status;
  }

  /** The first change of {@code instance} in [from, to) whose status is (or is not) 200. */
  private Optional<Change> firstChange(String instance, long from, long to, boolean ready) {
    if ((statusAt(instance, from) == 200) == ready) {
      return Optional.of(new Change(instance, from, statusAt(instance, from), "already"));
    }
    return readiness.stream()
        .filter(change -> change.instance().equals(instance))
        .filter(change -> change.atMillis() >= from && change.atMillis() < to)
        .filter(change -> (change.status() == 200) == ready)
        .findFirst();
  }

  /**
   * Instances that answered ready while the broker had been gone for longer than {@link
   * #READINESS_FLIP} and had not yet served again (to {@link #SERVED_RESOLUTION}): a false green.
   */
  List<String> falseGreens() {
    List<String> green = new ArrayList<>();
    for (Injected fault : faults) {
      if (!fault.isBroker()) {
        continue;
      }
      long from = fault.killedAtMillis() + READINESS_FLIP.toMillis();
      for (String instance : FaultPlan.INSTANCES) {
        boolean ready = statusAt(instance, from) == 200;
        for (Change change : readiness) {
          if (change.instance().equals(instance)
              && change.atMillis() >= from
              && change.atMillis() < fault.restartedAtMillis() - SERVED_RESOLUTION.toMillis()
              && change.status() == 200) {
            ready = true;
          }
        }
        if (ready) {
          green.add(instance + " during " + fault);
        }
      }
    }
    return green;
  }

  /** How readiness answered around {@code fault}, in words. */
  private String readinessAround(Injected fault) {
    List<String> parts = new ArrayList<>();
    long horizon = horizon(fault);
    for (String instance : FaultPlan.INSTANCES) {
      if (fault.isBroker()) {
        String unready =
            firstChange(instance, fault.killedAtMillis(), fault.restartedAtMillis(), false)
                .map(
                    change ->
                        seconds(change.atMillis() - fault.killedAtMillis()) + " s after the kill")
                .orElse("never");
        String ready =
            firstChange(instance, fault.restartedAtMillis(), horizon, true)
                .map(
                    change ->
                        seconds(change.atMillis() - fault.restartedAtMillis())
                            + " s after it served")
                .orElse("never");
        parts.add(instance + ": 503 " + unready + ", 200 " + ready);
      } else if (instance.equals(fault.fault().target())) {
        String ready =
            firstChange(instance, fault.restartedAtMillis(), horizon, true)
                .map(
                    change ->
                        seconds(change.atMillis() - fault.restartedAtMillis())
                            + " s after its restart")
                .orElse("never");
        parts.add(instance + " (killed): ready " + ready);
      } else {
        long unreadyMillis = unreadyMillis(instance, fault.killedAtMillis(), horizon);
        parts.add(instance + " (survivor): unready for " + seconds(unreadyMillis) + " s");
      }
    }
    return String.join("; ", parts);
  }

  /** Two minutes after {@code fault}'s restart, or the next fault if that comes first. */
  private long horizon(Injected fault) {
    long horizon = fault.restartedAtMillis() + Duration.ofMinutes(2).toMillis();
    for (Injected next : faults) {
      if (next.killedAtMillis() > fault.killedAtMillis()) {
        horizon = Math.min(horizon, next.killedAtMillis());
      }
    }
    return horizon;
  }

  /** How long {@code instance} answered anything but 200 within [from, to). */
  private long unreadyMillis(String instance, long from, long to) {
    long total = 0;
    long since = statusAt(instance, from) == 200 ? -1 : from;
    for (Change change : readiness) {
      if (!change.instance().equals(instance)
          || change.atMillis() < from
          || change.atMillis() >= to) {
        continue;
      }
      if (change.status() == 200 && since >= 0) {
        total += change.atMillis() - since;
        since = -1;
      } else if (change.status() != 200 && since < 0) {
        since = change.atMillis();
      }
    }
    return since >= 0 ? total + (Math.min(to, System.currentTimeMillis()) - since) : total;
  }

  private boolean everyInstanceSawEachBrokerOutage() {
    for (Injected fault : faults) {
      if (!fault.isBroker()) {
        continue;
      }
      for (String instance : FaultPlan.INSTANCES) {
        long deadline = fault.killedAtMillis() + READINESS_FLIP.toMillis();
        if (firstChange(instance, fault.killedAtMillis(), deadline, false).isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether nothing was lost, duplicated, invented or reordered, and readiness told the truth. */
  boolean passed() {
    return ledger.failedSends() == 0
        && ledger.acknowledgedEvents() == plan.events() + plan.preloadPosts()
        && lost.isEmpty()
        && duplicated.isEmpty()
        && invented.isEmpty()
        && outOfOrder.isEmpty()
        && failedLookups.isEmpty()
        && falseGreens().isEmpty()
        && everyInstanceSawEachBrokerOutage();
  }

  List<String> lost() {
    return List.copyOf(lost);
  }

  List<String> duplicated() {
    return List.copyOf(duplicated);
  }

  List<String> invented() {
    return List.copyOf(invented);
  }

  List<String> outOfOrder() {
    return List.copyOf(outOfOrder);
  }

  Map<String, String> failedLookups() {
    return Map.copyOf(failedLookups);
  }

  /** The one line the run ends with. */
  String summaryLine() {
    List<String> recoveries = new ArrayList<>();
    for (Injected fault : faults) {
      recoveries.add(
          fault.fault().target()
              + "@"
              + fault.fault().at().toSeconds()
              + "s "
              + recovery(fault).map(d -> seconds(d.toMillis()) + " s").orElse("never"));
    }
    return String.format(
        Locale.ROOT,
        "fault-run %s: %s; events %d/%d acknowledged, %d posts; lost %d, duplicated %d, invented %d,"
            + " out of order %d; lookups failed %d/%d; false green %d; recovery [%s]",
        plan.name(),
        passed() ? "PASS" : "FAIL",
        ledger.acknowledgedEvents(),
        plan.events() + plan.preloadPosts(),
        finalVersions.size(),
        lost.size(),
        duplicated.size(),
        invented.size(),
        outOfOrder.size(),
        failedLookups.size(),
        lookups,
        falseGreens().size(),
        String.join(", ", recoveries));
  }

  /** The full report: every figure and every failure, for the log and the run's directory. */
  String details() {
    StringBuilder out = new StringBuilder();
    out.append("Plan: ").append(plan).append('\n');
    out.append("Failed sends: ").append(ledger.failedSends()).append('\n');
    List<Duration> latencies = endToEndLatencies();
    if (!latencies.isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT,
              "Event to visible score: median %s s, p99 %s s, max %s s%n",
              seconds(latencies.get(0).toMillis()),
              seconds(latencies.get(1).toMillis()),
              seconds(latencies.get(2).toMillis())));
    }
    for (Injected fault : faults) {
      out.append(fault.fault())
          .append(" (down ")
          .append(seconds(fault.restartedAtMillis() - fault.killedAtMillis()))
          .append(" s): every partition scored again ")
          .append(
              recovery(fault).map(d -> seconds(d.toMillis()) + " s after the kill").orElse("never"))
          .append("; readiness: ")
          .append(readinessAround(fault))
          .append('\n');
    }
    logSignals.forEach(
        (instance, counts) ->
            out.append("Log lines of ").append(instance).append(": ").append(counts).append('\n'));
    appendList(out, "Lost", lost);
    appendList(out, "Duplicated", duplicated);
    appendList(out, "Invented", invented);
    appendList(out, "Out of order", outOfOrder);
    appendList(
        out,
        "Failed lookups",
        new ArrayList<>(
            new TreeMap<>(failedLookups).entrySet().stream().map(Object::toString).toList()));
    appendList(out, "False green", falseGreens());
    out.append(summaryLine()).append('\n');
    return out.toString();
  }

  private static void appendList(StringBuilder out, String title, List<String> items) {
    if (!items.isEmpty()) {
      out.append(title)
          .append(" (")
          .append(items.size())
          .append("): ")
          .append(String.join(", ", items.subList(0, Math.min(20, items.size()))))
          .append(items.size() > 20 ? ", ..." : "")
          .append('\n');
    }
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
  }
}
