package io.engagementscorer.stream.serde;

/** Subject names of Confluent's default TopicNameStrategy. */
final class Subjects {
  private Subjects() {}

  static String topicName(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
