package io.engagementscorer.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

  @Test
  void shouldFindTheHistogramInsideFunctionsAndAggregations() {
    assertThat(
            PromQlMetricNames.in(
                "histogram_quantile(0.99, sum by (le, instance)"
                    + " (rate(http_server_requests_seconds_bucket{uri=\"/api/v1/predict\"}[5m])))"))
        .containsExactly("http_server_requests_seconds_bucket");
  }

  @Test
  void shouldSkipLabelListsOfGroupingAndVectorMatching() {
    assertThat(
            PromQlMetricNames.in(
                "sum(rate(a_total[5m])) by (instance, stage) / on (instance) group_left (version)"
                    + " max without (job) (b_info) > bool ignoring (le) c"))
        .containsExactly("a_total", "b_info", "c");
  }

  @Test
  void shouldReadEachNameOnceInOrderOfFirstUse() {
    assertThat(
            PromQlMetricNames.in(
                "max by (instance) (lag{client_id=~\".+-consumer\"}) > 1000"
                    + " and deriv(max by (instance) (lag)[15m:1m]) > 0 or other"))
        .containsExactly("lag", "other");
  }

  @Test
  void shouldTreatKeywordsAndAggregationsCaseInsensitively() {
    assertThat(PromQlMetricNames.in("SUM BY (le) (x) AND Y UNLESS z OFFSET 5m"))
        .containsExactly("x", "Y", "z");
  }

  @Test
  void shouldSkipStringsEvenWhenTheyHoldBracesOrNames() {
    assertThat(
            PromQlMetricNames.in(
                "label_replace(x, \"dst\", \"}$1{ not_a_metric\", 'src', `(.*)`)"
                    + " + count_values(\"version\", y{a=\"}\"})"))
        .containsExactly("x", "y");
  }

  @Test
  void shouldSkipNumbersDurationsAndSpecialValues() {
    assertThat(
            PromQlMetricNames.in(
                "x > 1e3 and y < 0x1F or z > 1.5e-3 and w != Inf and v != NaN"
                    + " and u offset 1h30m and t @ 1609746000"))
        .containsExactly("x", "y", "z", "w", "v", "u", "t");
  }

  @Test
  void shouldSkipGrafanaVariables() {
    assertThat(
            PromQlMetricNames.in(
                "rate(x_total{instance=~\"$instance\"}[$__rate_interval]) / ${scale} * $factor"))
        .containsExactly("x_total");
  }

  @Test
  void shouldTreatWordsBeforeAParenthesisAsFunctions() {
    assertThat(PromQlMetricNames.in("absent (up{job=\"x\"}) or vector(0) + time() - scalar(s)"))
        .containsExactly("up", "s");
  }

  @Test
  void shouldKeepRecordingRuleNamesWithColonsAndIgnoreComments() {
    assertThat(PromQlMetricNames.in("job:requests:rate5m > 0 # not_a_metric here\n or b"))
        .containsExactly("job:requests:rate5m", "b");
  }

  @Test
  void shouldRefuseAnUnclosedBracket() {
    assertThatThrownBy(() -> PromQlMetricNames.in("rate(x{a=\"b\"[5m])"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unclosed '{' at position 6");
  }
}
