package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostAllowListTest {
  private final HostAllowList allowList =
      HostAllowList.of(
          List.of("images.example.org", "*.cdn.example.com", "203.0.113.7", "2001:db8::7"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "images.example.org",
        "IMAGES.Example.ORG",
        "images.example.org.",
        "a.cdn.example.com",
        "A.CDN.EXAMPLE.COM",
        "deep.er.cdn.example.com",
        "203.0.113.7",
        "[2001:db8::7]",
      })
  void shouldAllowListedHostsIgnoringCase(String host) {
    assertThat(allowList.allows(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cdn.example.com",
        "evilcdn.example.com",
        "a.cdn.example.com.evil.net",
        "images.example.org.evil.net",
        "ximages.example.org",
        "example.org",
        "203.0.113.8",
        "",
      })
  void shouldRefuseHostsNotListed(String host) {
    assertThat(allowList.allows(host)).isFalse();
  }

  @Test
  void shouldRefuseEverythingWhenEmpty() {
    assertThat(HostAllowList.of(List.of()).allows("images.example.org")).isFalse();
    assertThat(allowList.allows(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "*.example.com", "Images.Example.com", "10.0.0.1", "::1"})
  void shouldAcceptWellFormedPatterns(String pattern) {
    assertThat(HostAllowList.isValidPattern(pattern)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"*", "*.com", "a.*.example.com", "exa mple.com", "example.com/x", "", "-a.com"})
  void shouldRejectMalformedPatterns(String pattern) {
    assertThat(HostAllowList.isValidPattern(pattern)).isFalse();
  }
}
