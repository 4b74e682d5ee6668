/**
 * The Kafka Streams side: the topology that aggregates post events, scores changed posts in
 * micro-batches through the shared scorer, writes scores and dead letters, and queries its stores.
 */
package io.engagementscorer.stream;
