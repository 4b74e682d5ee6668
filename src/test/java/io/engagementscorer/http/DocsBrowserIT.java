package io.engagementscorer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engagementscorer.Application;
import io.engagementscorer.config.ServiceConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The interactive API documentation in a real browser: Debian's headless Chromium, driven by its
 * own chromedriver, against the service on a random loopback port. A browser sends {@code
 * Accept-Encoding: gzip}, so this is also the stylesheet's path that broke once. Skipped only where
 * no Chromium is installed ({@code .ci/run} installs it).
 */
class DocsBrowserIT {
  private static final List<Path> CHROMIUM =
      List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
  private static final List<Path> CHROMEDRIVER =
      List.of(Path.of("/usr/bin/chromedriver"), Path.of("/usr/lib/chromium/chromedriver"));
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Application application;
  private static String base;

  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeAll
  static void startService() {
    Assumptions.assumeTrue(
        firstExisting(CHROMIUM).isPresent(),
        "No Chromium installed (looked for "
            + CHROMIUM
            + "): this browser test is skipped."
            + " Install it with `apt-get install chromium chromium-driver`; .ci/run does.");
    application = Application.start(ServiceConfig.fromEnv(PredictApiIT.testEnvironment()));
    base = "http://127.0.0.1:" + application.port();
  }

  @AfterAll
  static void stopService() {
    if (application != null) {
      application.close();
    }
  }

  @BeforeEach
  void openBrowser(@TempDir Path profile) {
    Path chromium = firstExisting(CHROMIUM).orElseThrow();
    Path driver =
        firstExisting(CHROMEDRIVER)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Chromium is installed but its driver is not (looked for "
                            + CHROMEDRIVER
                            + "): apt-get install chromium-driver"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    // --no-sandbox because tests run as root in CI; the rest keeps a headless run off the network
    // and independent of any profile on the machine.
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(driver.toString()))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, WAIT);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void shouldLoadTheStylesheetAndApplyIt() {
    openDocs();

    Object status =
        script(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.endsWith('/docs/assets/swagger-ui.css'))"
                + ".map(e => e.responseStatus)[0];");
    assertThat(status).as("HTTP status of swagger-ui.css in the browser").isEqualTo(200L);
    WebElement postBadge =
        browser.findElement(
            By.cssSelector(".swagger-ui .opblock.opblock-post .opblock-summary-method"));
    // swagger-ui.css paints POST badges #49cc90; without the stylesheet they are transparent.
    assertThat(postBadge.getCssValue("background-color")).isEqualTo("rgba(73, 204, 144, 1)");
  }

  @Test
  void shouldListTheOperationsOfTheSpec() {
    openDocs();

    List<String> paths =
        browser.findElements(By.cssSelector(".opblock-summary-path")).stream()
            .map(element -> element.getAttribute("data-path"))
            .toList();
    assertThat(paths)
        .contains(
            "/api/v1/predict", "/api/v1/health", "/api/v1/model-info", "/api/v1/admin/reload");
  }

  @Test
  void shouldScoreTheExamplePostThroughTryItOut() throws Exception {
    openDocs();
    String operation = "#operations-default-post_api_v1_predict";
    WebElement predict = browser.findElement(By.cssSelector(operation));
    predict.findElement(By.cssSelector(".opblock-summary")).click();

    // By locators, so that each poll looks again: the buttons appear only once the operation has
    // opened (and Try it out has been pressed), which may be after the click returns.
    wait.until(
            ExpectedConditions.elementToBeClickable(By.cssSelector(operation + " .try-out__btn")))
        .click();
    wait.until(
            ExpectedConditions.elementToBeClickable(By.cssSelector(operation + " button.execute")))
        .click();

    WebElement status =
        wait.until(
            ExpectedConditions.presenceOfNestedElementLocatedBy(
                predict, By.cssSelector(".live-responses-table .response .response-col_status")));
    assertThat(status.getText()).startsWith("200");
    String body =
        wait.until(
                ExpectedConditions.presenceOfNestedElementLocatedBy(
                    predict, By.cssSelector(".live-responses-table .response-col_description pre")))
            .getText();
    JsonNode score = JSON.readTree(body);
    assertThat(score.get("engagement_score").asDouble()).isBetween(0.0, 1.0);
    assertThat(score.get("cleaned_text").asText())
        .isEqualTo("check out this amazing sunset beautiful nature");
  }

  private void openDocs() {
    browser.get(base + "/");
    wait.until(ExpectedConditions.urlToBe(base + "/docs"));
    wait.until(
        ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector(".opblock-summary"), 3));
  }

  private Object script(String javascript) {
    return ((JavascriptExecutor) browser).executeScript(javascript);
  }

  private static Optional<Path> firstExisting(List<Path> candidates) {
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }
}
