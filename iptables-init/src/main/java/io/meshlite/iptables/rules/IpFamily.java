package io.meshlite.iptables.rules;

/** IPv4 or IPv6, with the per-family addresses the rules use. */
public enum IpFamily {
  IPV4("IPv4", "iptables", "127.0.0.1/32", "127.0.0.6/32"),
  IPV6("IPv6", "ip6tables", "::1/128", "::6/128");

  private final String label;
  private final String command;
  private final String localhost;
  private final String inboundPassthrough;

  IpFamily(String label, String command, String localhost, String inboundPassthrough) {
    this.label = label;
    this.command = command;
    this.localhost = localhost;
    this.inboundPassthrough = inboundPassthrough;
  }

  /** {@code IPv4} or {@code IPv6}, as printed in dry-run headers. */
  public String label() {
    return label;
  }

  /** Base name of the family's executables: {@code iptables} or {@code ip6tables}. */
  public String command() {
    return command;
  }

  /** Localhost CIDR: 127.0.0.1/32 or ::1/128. */
  public String localhost() {
    return localhost;
  }

  /** Source address Envoy uses when it forwards inbound traffic to the app: 127.0.0.6 or ::6. */
  public String inboundPassthrough() {
    return inboundPassthrough;
  }

  /** The family of an address or CIDR literal (anything with a colon is IPv6). */
  public static IpFamily of(String addressOrCidr) {
    return addressOrCidr.indexOf(':') >= 0 ? IPV6 : IPV4;
  }
}
