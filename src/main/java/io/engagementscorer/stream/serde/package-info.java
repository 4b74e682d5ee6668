/**
 * Kafka serialization: Avro records in the Confluent wire format through a Confluent-compatible
 * schema registry (REST or an in-memory mock), and plain JSON post events for ad-hoc producers.
 */
package io.engagementscorer.stream.serde;
