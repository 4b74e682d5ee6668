package io.engagementscorer.stream;

import java.util.List;
import java.util.Optional;

/** What the health, liveness and readiness endpoints report of the Kafka Streams side. */
public interface StreamsStatus {
  /** For a process that runs the HTTP API without the stream: always alive and ready. */
  StreamsStatus DISABLED =
      new StreamsStatus() {
        @Override
        public String state() {
          return "DISABLED";
        }

        @Override
        public boolean healthy() {
          return true;
        }

        @Override
        public Optional<String> failure() {
          return Optional.empty();
        }

        @Override
        public List<String> notReadyReasons() {
          return List.of();
        }
      };

  /** The streams state name, such as {@code RUNNING}. */
  String state();

  /** Whether that state counts as healthy. */
  boolean healthy();

  /**
   * Why the stream is broken beyond recovery (it stopped for good and only a restart helps); empty
   * while it works or can still recover by itself.
   */
  Optional<String> failure();

  /**
   * Why this instance cannot take its share of the work now (not running, restoring state, brokers
   * unreachable); empty when it can.
   */
  List<String> notReadyReasons();
}
