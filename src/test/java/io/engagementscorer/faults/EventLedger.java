package io.engagementscorer.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the producer sent and the broker acknowledged: every event with the post version it makes (a
 * post's n-th event makes version n, since each event changes the post) and the partition it went
 * to. Sends that failed are counted, not recorded.
 */
final class EventLedger {
  /**
   * One acknowledged event.
   *
   * @param postId the post
   * @param version the post version the event makes
   * @param partition the input partition the broker acknowledged it on
   * @param sentAtMillis when it was handed to the producer
   */
  record SentEvent(String postId, long version, int partition, long sentAtMillis) {}

  private final Map<String, SentEvent> newestByPost = new ConcurrentHashMap<>();
  private final List<SentEvent> events = new ArrayList<>();
  private final AtomicInteger failedSends = new AtomicInteger();

  synchronized void acknowledged(SentEvent event) {
    events.add(event);
    newestByPost.merge(
        event.postId(), event, (old, now) -> now.version() > old.version() ? now : old);
  }

  void failed() {
    failedSends.incrementAndGet();
  }

  int failedSends() {
    return failedSends.get();
  }

  synchronized int acknowledgedEvents() {
    return events.size();
  }

  /** The newest acknowledged version of every post. */
  Map<String, Long> finalVersions() {
    Map<String, Long> versions = new TreeMap<>();
    newestByPost.forEach((post, event) -> versions.put(post, event.version()));
    return versions;
  }

  /** The first event sent at or after {@code millis} on each partition, by partition. */
  synchronized Map<Integer, SentEvent> firstEventPerPartitionFrom(long millis) {
    Map<Integer, SentEvent> first = new TreeMap<>();
    events.stream()
        .filter(event -> event.sentAtMillis() >= millis)
        .sorted(Comparator.comparingLong(SentEvent::sentAtMillis))
        .forEach(event -> first.putIfAbsent(event.partition(), event));
    return first;
  }

  /** Every acknowledged event, in the order acknowledged. */
  synchronized List<SentEvent> events() {
    return List.copyOf(events);
  }
}
