package io.engagementscorer.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/**
 * The API's one JSON vocabulary: snake_case field names, as the original service writes them. The
 * server answers with it, and score lookups read other instances' answers with it.
 */
final class ApiJson {
  private ApiJson() {}

  /** A mapper configured for the API; mappers are thread-safe once configured. */
  static ObjectMapper mapper() {
    return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }
}
