package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final RouteTable routes = new RouteTable();

  @BeforeEach
  void registerRoutes() {
    routes.allow("/", "GET", "HEAD");
    routes.allow("/api/v1/health", "GET", "HEAD");
    routes.allow("/api/v1/scores/{postId}", "GET", "HEAD");
    routes.allow("/api/v1/predict", "POST");
    routes.allow("/docs/assets/*", "GET", "HEAD");
  }

  @Test
  void shouldAllowTheMethodsOfALiteralRoute() {
    assertThat(routes.allowedMethods("/api/v1/health")).containsExactly("GET", "HEAD");
    assertThat(routes.allowedMethods("/api/v1/predict")).containsExactly("POST");
    assertThat(routes.allowedMethods("/")).containsExactly("GET", "HEAD");
  }

  @Test
  void shouldMatchAPathParameterAgainstExactlyOneNonEmptySegment() {
    assertThat(routes.templateOf("/api/v1/scores/post-7")).hasValue("/api/v1/scores/{postId}");
    assertThat(routes.templateOf("/api/v1/scores/post-7/more")).isEmpty();
    assertThat(routes.templateOf("/api/v1/scores//")).isEmpty();
    assertThat(routes.templateOf("/api/v1/scores")).isEmpty();
  }

  @Test
  void shouldIgnoreATrailingSlashAsJavalinDoes() {
    assertThat(routes.templateOf("/api/v1/health/")).hasValue("/api/v1/health");
  }

  @Test
  void shouldCoverEveryPathBelowATreeTemplate() {
    assertThat(routes.templateOf("/docs/assets/swagger-ui.css")).hasValue("/docs/assets/*");
    assertThat(routes.templateOf("/docs/assets/deeper/file.js")).hasValue("/docs/assets/*");
    assertThat(routes.allowedMethods("/docs/assets/any.css")).containsExactly("GET", "HEAD");
    assertThat(routes.templateOf("/docs/other")).isEmpty();
  }

  @Test
  void shouldAllowNothingOnAPathNoRouteHas() {
    assertThat(routes.allowedMethods("/api/v1/nope")).isEmpty();
    assertThat(routes.templateOf("/api/v1/nope")).isEmpty();
  }

  @Test
  void shouldMergeTheMethodsOfOneTemplateRegisteredTwice() {
    routes.allow("/api/v1/predict", "PUT");

    assertThat(routes.allowedMethods("/api/v1/predict")).containsExactly("POST", "PUT");
  }
}
