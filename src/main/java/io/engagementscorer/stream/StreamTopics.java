package io.engagementscorer.stream;

/**
 * The topics the topology reads and writes.
 *
 * @param input post events, keyed by post id
 * @param output scores, keyed by post id
 * @param deadLetter records that could not be decoded or scored
 */
public record StreamTopics(String input, String output, String deadLetter) {}
