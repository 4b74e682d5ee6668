package io.engagementscorer.stream;

/**
 * The topics the topology reads and writes.
 *
 * @param input post events, keyed by post id
 * @param output scores, keyed by post id
 * @param deadLetter records that could not be decoded or scored
 * @param candidate a candidate model's scores, keyed by post id, or null without a candidate
 */
public record StreamTopics(String input, String output, String deadLetter, String candidate) {
  /** The topics of a topology without a candidate. */
  public StreamTopics(String input, String output, String deadLetter) {
    this(input, output, deadLetter, null);
  }
}
