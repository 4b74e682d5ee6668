package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A service with a one-post queue, flooded by concurrent callers: 503s, then recovery. */
class OverloadIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Application application;
  private static URI predict;

  @BeforeAll
  static void startService() {
    Map<String, String> env = PredictApiIT.testEnvironment();
    env.put("BATCH_MAX_SIZE", "1");
    env.put("BATCH_QUEUE_CAPACITY", "1");
    env.put("RETRY_AFTER_SECONDS", "2");
    application = Application.start(ServiceConfig.fromEnv(env));
    predict = URI.create("http://127.0.0.1:" + application.port() + "/api/v1/predict");
  }

  @AfterAll
  static void stopService() {
    application.close();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(predict).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenTheQueueIsFullAndRecover() throws Exception {
    String body = "{\"raw_text\": \"flood\", \"comments\": [\"a\", \"b\", \"c\"]}";
    ExecutorService pool = Executors.newFixedThreadPool(64);
    List<HttpResponse<String>> responses = new ArrayList<>();
    try {
      List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
      for (int index = 0; index < 400; index++) {
        calls.add(() -> post(body));
      }
      for (Future<HttpResponse<String>> response : pool.invokeAll(calls)) {
        responses.add(response.get());
      }
    } finally {
      pool.shutdownNow();
    }

    List<HttpResponse<String>> refused =
        responses.stream().filter(response -> response.statusCode() == 503).toList();
    assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(200, 503);
    assertThat(refused).isNotEmpty();
    assertThat(refused.get(0).headers().firstValue("Retry-After")).hasValue("2");
    assertThat(refused.get(0).body()).contains("\"error\":\"unavailable\"");
    assertThat(post(body).statusCode()).as("a request after the flood").isEqualTo(200);
  }
}
