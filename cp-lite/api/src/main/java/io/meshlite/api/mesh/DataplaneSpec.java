package io.meshlite.api.mesh;

import static io.meshlite.api.validation.Violations.index;
import static io.meshlite.api.validation.Violations.key;
import static io.meshlite.api.validation.Violations.path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Typed view of a Kuma 2.14 universal Dataplane spec ({@code networking.address}, tagged
 * inbounds and outbounds, optional transparent proxying). Built only through {@link #parse}, which
 * checks everything and reports all problems with their field paths.
 *
 * @param networking the networking section
 */
public record DataplaneSpec(Networking networking) {

  /** Default Envoy admin port when neither the Dataplane nor kuma-dp sets one. */
  public static final int DEFAULT_ADMIN_PORT = 9901;

  /**
   * @param address the address other proxies reach this one at
   * @param inbound the inbound interfaces
   * @param outbound the outbound interfaces
   * @param transparentProxying present when traffic is redirected with iptables
   * @param adminPort {@code networking.admin.port}, or empty
   */
  public record Networking(
      String address,
      List<Inbound> inbound,
      List<Outbound> outbound,
      Optional<TransparentProxying> transparentProxying,
      Optional<Integer> adminPort) {
    public Networking {
      inbound = List.copyOf(inbound);
      outbound = List.copyOf(outbound);
    }
  }

  /**
   * @param port the port Envoy listens on for this inbound
   * @param servicePort the application's port (defaults to {@code port})
   * @param serviceAddress the application's address ({@code 127.0.0.1} when unset)
   * @param address the listener address (defaults to {@code networking.address})
   * @param tags the tags, always with {@code kuma.io/service}
   * @param state Ready, NotReady or Ignored
   */
  public record Inbound(
      int port,
      int servicePort,
      String serviceAddress,
      String address,
      Map<String, String> tags,
      String state) {
    public Inbound {
      tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** The {@code kuma.io/service} tag. */
    public String service() {
      return tags.get(Tags.SERVICE);
    }

    /** The {@code kuma.io/protocol} tag, {@code tcp} when absent. */
    public String protocol() {
      return tags.getOrDefault(Tags.PROTOCOL, "tcp");
    }

    /** True unless the inbound is marked NotReady or Ignored. */
    public boolean ready() {
      return "Ready".equals(state);
    }
  }

  /**
   * @param address the local address the outbound listens on
   * @param port the local port
   * @param tags the tags, with {@code kuma.io/service} naming the destination
   */
  public record Outbound(String address, int port, Map<String, String> tags) {
    public Outbound {
      tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** The destination service. */
    public String service() {
      return tags.get(Tags.SERVICE);
    }
  }

  /**
   * @param redirectPortInbound the port iptables redirects inbound traffic to (15006)
   * @param redirectPortOutbound the port iptables redirects outbound traffic to (15001)
   * @param ipFamilyMode DualStack, IPv4 or IPv6
   */
  public record TransparentProxying(
      int redirectPortInbound, int redirectPortOutbound, String ipFamilyMode) {}

  /** The Envoy admin port of this proxy, falling back to the given default. */
  public int adminPort(int fallback) {
    return networking.adminPort().orElse(fallback);
  }

  /** Parses and validates a Dataplane spec (the inline fields of a Dataplane resource). */
  public static DataplaneSpec parse(ObjectNode spec) {
    Violations v = new Violations();
    JsonNode net = spec.get("networking");
    if (net == null || net.isNull()) {
      v.add("networking", "must be defined");
      v.throwIfAny("Resource is not valid");
    }
    if (!net.isObject()) {
      throw ValidationException.of("networking", "must be a mapping");
    }
    String address = text(net, "address", "networking.address", v);
    if (address == null || address.isEmpty()) {
      v.add("networking.address", "address can't be empty");
    } else if (address.equals("0.0.0.0") || address.equals("::")) {
      v.add("networking.address", "must not be 0.0.0.0 or ::");
    }
    List<Inbound> inbound = new ArrayList<>();
    JsonNode in = net.get("inbound");
    if (in != null && !in.isNull()) {
      if (!in.isArray()) {
        v.add("networking.inbound", "must be a list");
      } else {
        for (int i = 0; i < in.size(); i++) {
          Inbound ib = inbound(in.get(i), index("networking.inbound", i), address, v);
          if (ib != null) {
            inbound.add(ib);
          }
        }
      }
    }
    JsonNode gateway = net.get("gateway");
    boolean hasGateway = gateway != null && gateway.isObject();
    if ((in == null || in.isNull() || in.isEmpty()) && !hasGateway) {
      v.add("networking", "has to contain at least one inbound interface or gateway");
    }
    List<Outbound> outbound = new ArrayList<>();
    JsonNode out = net.get("outbound");
    if (out != null && !out.isNull()) {
      if (!out.isArray()) {
        v.add("networking.outbound", "must be a list");
      } else {
        for (int i = 0; i < out.size(); i++) {
          Outbound ob = outbound(out.get(i), index("networking.outbound", i), v);
          if (ob != null) {
            outbound.add(ob);
          }
        }
      }
    }
    Optional<TransparentProxying> tp = Optional.empty();
    JsonNode tpn = net.get("transparentProxying");
    if (tpn != null && !tpn.isNull()) {
      String p = "networking.transparentProxying";
      if (!tpn.isObject()) {
        v.add(p, "must be a mapping");
      } else {
        int rin = port(tpn, "redirectPortInbound", path(p, "redirectPortInbound"), 15006, v);
        int rout = port(tpn, "redirectPortOutbound", path(p, "redirectPortOutbound"), 15001, v);
        String fam = Optional.ofNullable(text(tpn, "ipFamilyMode", path(p, "ipFamilyMode"), v)).orElse("DualStack");
        if (!List.of("DualStack", "IPv4", "IPv6", "UnSpecified").contains(fam)) {
          v.add(path(p, "ipFamilyMode"), "\"" + fam + "\" is not valid (expected: DualStack, IPv4 or IPv6)");
        }
        tp = Optional.of(new TransparentProxying(rin, rout, fam));
      }
    }
    Optional<Integer> admin = Optional.empty();
    JsonNode adm = net.get("admin");
    if (adm != null && adm.isObject() && adm.has("port")) {
      int ap = port(adm, "port", "networking.admin.port", 0, v);
      admin = Optional.of(ap);
      for (Inbound ib : inbound) {
        if (ib.port() == ap) {
          v.add("networking.admin.port", "must differ from inbound ports (" + ap + ")");
        }
      }
    }
    v.throwIfAny("Resource is not valid");
    return new DataplaneSpec(new Networking(address, inbound, outbound, tp, admin));
  }

  private static Inbound inbound(JsonNode n, String p, String dpAddress, Violations v) {
    if (!n.isObject()) {
      v.add(p, "must be a mapping");
      return null;
    }
    int port = port(n, "port", path(p, "port"), -1, v);
    int servicePort = n.hasNonNull("servicePort") ? port(n, "servicePort", path(p, "servicePort"), port, v) : port;
    String serviceAddress = Optional.ofNullable(text(n, "serviceAddress", path(p, "serviceAddress"), v)).orElse("");
    String address = Optional.ofNullable(text(n, "address", path(p, "address"), v)).orElse("");
    String state = Optional.ofNullable(text(n, "state", path(p, "state"), v)).orElse("Ready");
    if (!List.of("Ready", "NotReady", "Ignored").contains(state)) {
      v.add(path(p, "state"), "\"" + state + "\" is not valid (expected: Ready, NotReady or Ignored)");
    }
    Map<String, String> tags = tags(n.get("tags"), path(p, "tags"), true, v);
    return new Inbound(
        port,
        servicePort,
        serviceAddress.isEmpty() ? "127.0.0.1" : serviceAddress,
        address.isEmpty() ? (dpAddress == null ? "" : dpAddress) : address,
        tags,
        state);
  }

  private static Outbound outbound(JsonNode n, String p, Violations v) {
    if (!n.isObject()) {
      v.add(p, "must be a mapping");
      return null;
    }
    int port = port(n, "port", path(p, "port"), -1, v);
    String address = Optional.ofNullable(text(n, "address", path(p, "address"), v)).orElse("127.0.0.1");
    if (n.has("backendRef") && !n.has("tags")) {
      v.add(path(p, "backendRef"), "is not supported yet: use tags with kuma.io/service");
      return null;
    }
    Map<String, String> tags = tags(n.get("tags"), path(p, "tags"), false, v);
    return new Outbound(address.isEmpty() ? "127.0.0.1" : address, port, tags);
  }

  private static Map<String, String> tags(JsonNode n, String p, boolean inbound, Violations v) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      v.add(key(p, Tags.SERVICE), "tag has to exist");
      return tags;
    }
    if (!n.isObject()) {
      v.add(p, "must be a mapping of strings");
      return tags;
    }
    n.properties()
        .forEach(
            e -> {
              String kp = key(p, e.getKey());
              if (e.getKey().isEmpty()) {
                v.add(p, "tag name cannot be empty");
              } else if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                v.add(kp, "tag value must be a string");
              } else if (e.getValue().asText().isEmpty()) {
                v.add(kp, "tag value cannot be empty");
              } else {
                tags.put(e.getKey(), e.getValue().asText());
              }
            });
    if (!tags.containsKey(Tags.SERVICE) && !n.path(Tags.SERVICE).isValueNode()) {
      v.add(key(p, Tags.SERVICE), "tag has to exist");
    }
    String proto = tags.get(Tags.PROTOCOL);
    if (inbound && proto != null && !Tags.PROTOCOLS.contains(proto)) {
      v.add(
          key(p, Tags.PROTOCOL),
          "tag has an invalid value \"" + proto + "\" (expected one of: grpc, http, http2, kafka, tcp)");
    }
    return tags;
  }

  private static int port(JsonNode n, String field, String p, int fallback, Violations v) {
    JsonNode x = n.get(field);
    if (x == null || x.isNull()) {
      if (fallback < 0) {
        v.add(p, "port must be in the range from 1 to 65535");
      }
      return fallback;
    }
    if (!x.canConvertToInt() || !x.isIntegralNumber()) {
      v.add(p, "must be an integer");
      return fallback;
    }
    int port = x.intValue();
    if (port < 1 || port > 65535) {
      v.add(p, "port must be in the range from 1 to 65535");
    }
    return port;
  }

  private static String text(JsonNode n, String field, String p, Violations v) {
    JsonNode x = n.get(field);
    if (x == null || x.isNull()) {
      return null;
    }
    if (!x.isTextual()) {
      v.add(p, "must be a string");
      return null;
    }
    return x.asText();
  }
}
