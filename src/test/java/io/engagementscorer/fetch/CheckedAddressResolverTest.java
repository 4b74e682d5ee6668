package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.fetch.CheckedAddressResolver.ForbiddenAddressException;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** IP literals resolve without any DNS lookup, so these run offline. */
class CheckedAddressResolverTest {
  private final CheckedAddressResolver resolver =
      new CheckedAddressResolver(AddressClassifier::forbiddenReason);

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "127.0.0.1, a loopback address",
    "10.1.2.3, a private address",
    "169.254.169.254, a link-local address",
    "100.64.1.1, a carrier-grade NAT address",
    "224.0.0.1, a multicast address",
    "::1, a loopback address",
    "::ffff:192.168.0.1, a private address",
  })
  void shouldRefuseAHostResolvingToAnInternalAddress(String host, String reason) {
    assertThatThrownBy(() -> resolver.resolve(host))
        .isInstanceOfSatisfying(
            ForbiddenAddressException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(host);
  }

  @Test
  void shouldReturnExactlyTheCheckedAddressesOfAPublicHost() throws Exception {
    assertThat(resolver.resolve("93.184.215.14"))
        .containsExactly(InetAddress.getByName("93.184.215.14"));
  }

  @Test
  void shouldLetTheCheckExemptAnAddress() throws Exception {
    CheckedAddressResolver permissive = new CheckedAddressResolver(address -> Optional.empty());

    assertThat(permissive.resolve("127.0.0.1")).containsExactly(InetAddress.getByName("127.0.0.1"));
  }
}
