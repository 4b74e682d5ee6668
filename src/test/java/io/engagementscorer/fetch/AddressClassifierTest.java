package io.engagementscorer.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassifierTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "127.0.0.1, loopback",
    "127.255.255.254, loopback",
    "::1, loopback",
    "10.0.0.1, private",
    "10.255.255.255, private",
    "172.16.0.1, private",
    "172.31.255.255, private",
    "192.168.1.10, private",
    "fc00::1, unique-local",
    "fd12:3456:789a::1, unique-local",
    "fd00:ec2::254, unique-local",
    "169.254.0.1, link-local",
    "169.254.169.254, link-local",
    "fe80::1, link-local",
    "febf:ffff::1, link-local",
    "0.0.0.0, unspecified",
    "0.1.2.3, unspecified",
    "::, unspecified",
    "224.0.0.1, multicast",
    "239.255.255.250, multicast",
    "ff02::1, multicast",
    "100.64.0.1, carrier-grade NAT",
    "100.127.255.254, carrier-grade NAT",
    "255.255.255.255, broadcast",
    "::ffff:127.0.0.1, loopback",
    "::ffff:169.254.169.254, link-local",
    "::ffff:10.1.2.3, private",
    "64:ff9b::a9fe:a9fe, link-local address (NAT64)",
    "::7f00:1, loopback address (IPv4-compatible)",
  })
  void shouldRefuseInternalAddresses(String literal, String kind) throws Exception {
    assertThat(AddressClassifier.forbiddenReason(InetAddress.getByName(literal)))
        .hasValueSatisfying(reason -> assertThat(reason).contains(kind));
  }

  @ParameterizedTest(name = "{0} is public")
  @CsvSource({
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "11.0.0.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  })
  void shouldAllowPublicAddresses(String literal) throws Exception {
    assertThat(AddressClassifier.forbiddenReason(InetAddress.getByName(literal))).isEmpty();
  }

  @Test
  void shouldJudgeIpv4MappedAddressThatStaysIpv6ByItsIpv4Part() throws Exception {
    byte[] mappedMetadata = new byte[16];
    mappedMetadata[10] = (byte) 0xff;
    mappedMetadata[11] = (byte) 0xff;
    mappedMetadata[12] = (byte) 169;
    mappedMetadata[13] = (byte) 254;
    mappedMetadata[14] = (byte) 169;
    mappedMetadata[15] = (byte) 254;
    InetAddress address = Inet6Address.getByAddress(null, mappedMetadata, -1);

    assertThat(address).isInstanceOf(Inet6Address.class);
    assertThat(AddressClassifier.forbiddenReason(address))
        .hasValueSatisfying(reason -> assertThat(reason).contains("link-local", "mapped"));
  }
}
