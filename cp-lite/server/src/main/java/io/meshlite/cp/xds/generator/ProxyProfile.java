package io.meshlite.cp.xds.generator;

import java.util.List;

/**
 * The ordered generators that make up a proxy's configuration, like Kuma's default proxy profile.
 * The order is fixed and matters once later generators refine what earlier ones produced.
 *
 * @param generators run in this order
 */
public record ProxyProfile(List<ResourceGenerator> generators) {
  public ProxyProfile {
    generators = List.copyOf(generators);
  }

  /**
   * The profile for a universal Dataplane: inbound listeners, outbound listeners, transparent
   * proxy passthrough, the DNS table for kuma-dp. Still to come, in this order: admin listener,
   * mTLS, policy plugins.
   */
  public static ProxyProfile dataplane() {
    return new ProxyProfile(
        List.of(
            new InboundGenerator(),
            new OutboundGenerator(),
            new TransparentProxyGenerator(),
            new DnsConfigGenerator()));
  }

  /** Runs every generator for one proxy. */
  public ResourceSet generate(MeshContext mesh, Dataplane proxy) {
    return generate(mesh, proxy, List.of());
  }

  /**
   * Runs every generator for one proxy, then the proxy's own ones (such as the {@link
   * SecretsGenerator} of its identity certificate).
   */
  public ResourceSet generate(MeshContext mesh, Dataplane proxy, List<? extends ResourceGenerator> perProxy) {
    ResourceSet.Builder out = ResourceSet.builder();
    for (ResourceGenerator g : generators) {
      g.generate(mesh, proxy, out);
    }
    for (ResourceGenerator g : perProxy) {
      g.generate(mesh, proxy, out);
    }
    return out.build();
  }
}
