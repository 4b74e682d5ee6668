/**
 * The Kafka Streams side: the topology that aggregates post events, scores changed posts in
 * micro-batches through the shared scorer, writes scores and dead letters, and serves the latest
 * scores by interactive query.
 */
package io.engagementscorer.stream;
