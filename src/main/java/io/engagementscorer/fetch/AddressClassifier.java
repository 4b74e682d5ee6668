package io.engagementscorer.fetch;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Says whether an address is internal: one that a web reference from a post must never reach,
 * because it would let whoever publishes posts probe or read the service's own network (SSRF). IPv4
 * addresses embedded in IPv6 ones (mapped {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d},
 * NAT64 {@code 64:ff9b::a.b.c.d}) are judged by their IPv4 part.
 */
final class AddressClassifier {
  private record Block(byte[] prefix, int bits, String kind) {
    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      if (!Arrays.equals(address, 0, whole, prefix, 0, whole)) {
        return false;
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }

  private static final List<Block> IPV4_BLOCKS =
      List.of(
          v4("0.0.0.0", 8, "an unspecified (any-local) address"),
          v4("10.0.0.0", 8, "a private address"),
          v4("100.64.0.0", 10, "a carrier-grade NAT address"),
          v4("127.0.0.0", 8, "a loopback address"),
          v4("169.254.0.0", 16, "a link-local address"),
          v4("172.16.0.0", 12, "a private address"),
          v4("192.0.0.0", 24, "an IETF protocol assignment address"),
          v4("192.168.0.0", 16, "a private address"),
          v4("198.18.0.0", 15, "a benchmarking address"),
          v4("224.0.0.0", 4, "a multicast address"),
          v4("240.0.0.0", 4, "a reserved or broadcast address"));

  private static final List<Block> IPV6_BLOCKS =
      List.of(
          v6("::", 128, "an unspecified (any-local) address"),
          v6("::1", 128, "a loopback address"),
          v6("fc00::", 7, "a unique-local (private) address"),
          v6("fe80::", 10, "a link-local address"),
          v6("fec0::", 10, "a site-local address"),
          v6("ff00::", 8, "a multicast address"));

  /** IPv6 ranges whose last 4 bytes are an IPv4 address that decides the matter. */
  private static final List<Block> IPV4_EMBEDDING =
      List.of(
          v6("::ffff:0:0", 96, "IPv4-mapped"),
          v6("::", 96, "IPv4-compatible"),
          v6("64:ff9b::", 96, "NAT64"));

  private AddressClassifier() {}

  /** Why the address must not be reached, or empty when it is a public unicast address. */
  static Optional<String> forbiddenReason(InetAddress address) {
    return forbiddenReason(address.getAddress());
  }

  private static Optional<String> forbiddenReason(byte[] bytes) {
    List<Block> blocks = bytes.length == 4 ? IPV4_BLOCKS : IPV6_BLOCKS;
    for (Block block : blocks) {
      if (block.contains(bytes)) {
        return Optional.of(block.kind());
      }
    }
    if (bytes.length == 16) {
      for (Block embedding : IPV4_EMBEDDING) {
        if (embedding.contains(bytes)) {
          return forbiddenReason(Arrays.copyOfRange(bytes, 12, 16))
              .map(kind -> kind + " (" + embedding.kind() + ")");
        }
      }
    }
    return Optional.empty();
  }

  private static Block v4(String literal, int bits, String kind) {
    return new Block(literalBytes(literal), bits, kind);
  }

  private static Block v6(String literal, int bits, String kind) {
    byte[] bytes = literalBytes(literal);
    if (bytes.length == 4) {
      // InetAddress turns ::ffff:0:0 into an Inet4Address; rebuild the 16-byte form.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      bytes = mapped;
    }
    return new Block(bytes, bits, kind);
  }

  /** Bytes of an IP literal; {@link InetAddress#getByName} does no DNS lookup for literals. */
  private static byte[] literalBytes(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("bad address literal " + literal, e);
    }
  }
}
