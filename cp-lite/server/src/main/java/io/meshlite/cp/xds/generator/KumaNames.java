package io.meshlite.cp.xds.generator;

/** Envoy resource and stat names as Kuma 2.14 generates them (legacy, non-unified naming). */
public final class KumaNames {
  private KumaNames() {}

  /** {@code inbound:<address>:<port>}. */
  public static String inboundListener(String address, int port) {
    return "inbound:" + address + ":" + port;
  }

  /** {@code localhost:<servicePort>}: the cluster that reaches the local application. */
  public static String localCluster(int servicePort) {
    return "localhost:" + servicePort;
  }

  /** {@code localhost_<servicePort>}: stat name of the local cluster and inbound stat prefix. */
  public static String localStatName(int servicePort) {
    return "localhost_" + servicePort;
  }

  /** {@code inbound:<service>}: the inline route configuration of an HTTP inbound. */
  public static String inboundRoute(String service) {
    return "inbound:" + service;
  }

  /** {@code outbound:<address>:<port>}. */
  public static String outboundListener(String address, int port) {
    return "outbound:" + address + ":" + port;
  }

  /** The EDS cluster (and load assignment) of a destination service: the service name itself. */
  public static String serviceCluster(String service) {
    return service;
  }
}
