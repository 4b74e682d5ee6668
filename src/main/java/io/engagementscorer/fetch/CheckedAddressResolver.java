package io.engagementscorer.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The name resolution of {@link HttpsImageSource}'s HTTP client: the host is looked up once per
 * connection, and unless every address of the answer passes the check, none is returned and the
 * client connects nowhere. The client then connects to exactly the addresses returned here, so a
 * DNS answer that changes after the check (DNS rebinding) never reaches a socket.
 */
final class CheckedAddressResolver implements DnsResolver {
  private final Function<InetAddress, Optional<String>> addressCheck;

  /**
   * A resolver refusing every address for which {@code addressCheck} gives a reason, such as {@link
   * AddressClassifier#forbiddenReason}.
   */
  CheckedAddressResolver(Function<InetAddress, Optional<String>> addressCheck) {
    this.addressCheck = addressCheck;
  }

  /**
   * The addresses of {@code host}, every one of them allowed.
   *
   * @throws ForbiddenAddressException when one of them is not
   * @throws UnknownHostException when the host does not resolve
   */
  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
    for (InetAddress address : addresses) {
      Optional<String> reason = addressCheck.apply(address);
      if (reason.isPresent()) {
        throw new ForbiddenAddressException(host, reason.get());
      }
    }
    return addresses;
  }

  @Override
  public String resolveCanonicalHostname(String host) throws UnknownHostException {
    return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
  }

  /**
   * A host resolved to an address that must not be reached. An {@link UnknownHostException},
   * because that is all a {@link DnsResolver} may throw: to the client, the host has no usable
   * address.
   */
  static final class ForbiddenAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    ForbiddenAddressException(String host, String reason) {
      super(host + " resolves to " + reason);
      this.reason = reason;
    }

    /** What the address is, for example "a loopback address". */
    String reason() {
      return reason;
    }
  }
}
