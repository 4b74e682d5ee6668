/**
 * Scoring core shared by the HTTP API and the stream: post preparation, the micro-batcher, batch
 * inference, sentiment aggregation and the start-up self-check. Plain Java in, plain Java out.
 */
package io.engagementscorer.scoring;
