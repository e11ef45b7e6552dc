package io.meshlite.cp.xds.generator;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import io.meshlite.api.mesh.Tags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What transparent proxying changes in the other generators, in one place: which outbounds a
 * proxy gets (its own plus one per service VIP of the mesh) and which listeners stop binding their
 * port because iptables delivers their connections through the passthrough listeners.
 */
final class TransparentProxy {
  /** Kuma 2.x {@code dnsServer.serviceVipPort}: the port of every service VIP outbound. */
  static final int SERVICE_VIP_PORT = 80;

  /** Kuma 2.x {@code dnsServer.domain}: services are {@code <service>.mesh}. */
  static final String DOMAIN = "mesh";

  private TransparentProxy() {}

  /** The proxy's transparent proxying settings, when traffic is redirected to it by iptables. */
  static Optional<DataplaneSpec.TransparentProxying> settings(Dataplane proxy) {
    return proxy.spec().networking().transparentProxying();
  }

  static boolean enabled(Dataplane proxy) {
    return settings(proxy).isPresent();
  }

  /** IPv6 listeners too (every mode but IPv4, as Kuma). */
  static boolean dualStack(Dataplane proxy) {
    return settings(proxy).map(tp -> !tp.ipFamilyMode().equals("IPv4")).orElse(false);
  }

  /** Every {@code kuma.io/service} offered by a valid Dataplane of the mesh, in any state. */
  static SortedSet<String> services(MeshContext mesh) {
    SortedSet<String> out = new TreeSet<>();
    for (Dataplane dp : mesh.dataplanes().values()) {
      for (DataplaneSpec.Inbound in : dp.spec().networking().inbound()) {
        out.add(in.service());
      }
    }
    return out;
  }

  /**
   * The VIP outbounds of a transparently proxied Dataplane, as Kuma 2.14 derives them: for every
   * service of the mesh that has a VIP, {@code <vip>:80} tagged with the service. A VIP address and
   * port taken by one of the Dataplane's own outbounds is left to that outbound.
   */
  static List<Outbound> vipOutbounds(MeshContext mesh, Dataplane proxy) {
    if (!enabled(proxy)) {
      return List.of();
    }
    Set<String> manual = new HashSet<>();
    for (Outbound ob : proxy.spec().networking().outbound()) {
      manual.add(ob.address() + ":" + ob.port());
    }
    List<Outbound> out = new ArrayList<>();
    for (String service : services(mesh)) {
      String vip = mesh.vips().get(service);
      if (vip != null && !manual.contains(vip + ":" + SERVICE_VIP_PORT)) {
        out.add(new Outbound(vip, SERVICE_VIP_PORT, Map.of(Tags.SERVICE, service)));
      }
    }
    return out;
  }

  /** The Dataplane's own outbounds, then its VIP outbounds. */
  static List<Outbound> outbounds(MeshContext mesh, Dataplane proxy) {
    List<Outbound> all = new ArrayList<>(proxy.spec().networking().outbound());
    all.addAll(vipOutbounds(mesh, proxy));
    return all;
  }

  /**
   * The DNS names of a service VIP, as Kuma: {@code <service>.mesh}, plus the form with {@code _}
   * turned into dots when that differs ({@code backend_ns_svc_80.mesh} also answers as {@code
   * backend.ns.svc.80.mesh}).
   */
  static List<String> domains(String service) {
    String plain = service + "." + DOMAIN;
    String dotted = service.replace('_', '.') + "." + DOMAIN;
    return plain.equals(dotted) ? List.of(plain) : List.of(plain, dotted);
  }

  /** An inbound listener of a transparently proxied Dataplane gets its connections from 15006. */
  static Listener inbound(Listener l, Dataplane proxy) {
    return enabled(proxy) ? unbound(l) : l;
  }

  /**
   * An outbound listener of a transparently proxied Dataplane gets its connections from 15001,
   * except one on a loopback address (an outbound listed in the Dataplane for applications that
   * call it directly), which keeps binding its port so it still works (Kuma refuses such outbounds
   * with transparent proxying).
   */
  static Listener outbound(Listener l, Dataplane proxy) {
    if (!enabled(proxy)) {
      return l;
    }
    String address = l.getAddress().getSocketAddress().getAddress();
    return loopback(address) ? l : unbound(l);
  }

  private static Listener unbound(Listener l) {
    return l.toBuilder().setBindToPort(BoolValue.of(false)).build();
  }

  static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("localhost");
  }
}
