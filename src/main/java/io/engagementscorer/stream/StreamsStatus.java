package io.engagementscorer.stream;

/** What the health endpoint reports of the Kafka Streams side. */
public interface StreamsStatus {
  /** For a process that runs the HTTP API without the stream. */
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
      };

  /** The streams state name, such as {@code RUNNING}. */
  String state();

  /** Whether that state counts as healthy. */
  boolean healthy();
}
