package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshlite.api.mesh.Tags;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * Kuma's pod → Dataplane conversion (2.14, inbound tags): one Dataplane {@code <pod>.<namespace>}
 * per meshed pod, at the pod's IP, with one inbound per TCP port of every Service that selects the
 * pod: {@code kuma.io/service = <service>_<namespace>_svc_<port>}, protocol from the port's {@code
 * appProtocol} or the Service annotation {@code <port>.service.kuma.io/protocol} (else {@code
 * tcp}), plus the pod's labels and {@code k8s.kuma.io/namespace}, {@code
 * k8s.kuma.io/service-name}, {@code k8s.kuma.io/service-port}. A pod behind no Service gets one
 * inbound on Kuma's reserved port 49151 for {@code <workload>_<namespace>_svc}. The transparent
 * proxy and admin port come from the annotations the injector wrote.
 */
final class PodToDataplane {
  /** Kuma's port of the inbound of a pod that no Service selects (never allocated by the OS). */
  static final int SERVICELESS_PORT = 49151;

  static final String NAMESPACE_TAG = "k8s.kuma.io/namespace";
  static final String SERVICE_NAME_TAG = "k8s.kuma.io/service-name";
  static final String SERVICE_PORT_TAG = "k8s.kuma.io/service-port";
  static final String INSTANCE_TAG = "kuma.io/instance";
  static final String PROXY_TYPE_LABEL = "kuma.io/proxy-type";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private PodToDataplane() {}

  /** True when the injector meshed this pod ({@code kuma.io/sidecar-injected: "true"}). */
  static boolean meshed(Pod pod) {
    String v = annotations(pod).get(Annotations.SIDECAR_INJECTED);
    try {
      return v != null && Annotations.enabled(Annotations.SIDECAR_INJECTED, v);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code <pod>.<namespace>}. */
  static String dataplaneName(String pod, String namespace) {
    return pod + "." + namespace;
  }

  /**
   * The Dataplane of a meshed pod, or empty while the pod has no IP.
   *
   * @param services the Services of the pod's namespace (those that select it are used)
   * @throws IllegalArgumentException when an annotation is invalid
   */
  static Optional<Resource> convert(Pod pod, Namespace namespace, List<Service> services) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isEmpty()) {
      return Optional.empty();
    }
    String ns = pod.getMetadata().getNamespace();
    String mesh =
        SidecarInjector.meshOf(
            Json.mapper().valueToTree(pod.getMetadata()),
            namespace == null ? null : Json.mapper().valueToTree(namespace.getMetadata()));
    Map<String, String> annotations = annotations(pod);

    ObjectNode spec = F.objectNode();
    ObjectNode net = spec.putObject("networking");
    net.put("address", ip);
    ArrayNode inbound = net.putArray("inbound");
    List<Service> selecting =
        services.stream()
            .filter(s -> selects(s, pod))
            .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
            .toList();
    for (Service svc : selecting) {
      for (ServicePort sp : svc.getSpec().getPorts()) {
        inboundFor(pod, svc, sp).ifPresent(inbound::add);
      }
    }
    if (inbound.isEmpty()) {
      inbound.add(serviceless(pod));
    }
    transparentProxying(annotations).ifPresent(tp -> net.set("transparentProxying", tp));
    String admin = annotations.get(Annotations.ENVOY_ADMIN_PORT);
    if (admin != null) {
      net.putObject("admin").put("port", port(Annotations.ENVOY_ADMIN_PORT, admin));
    }

    Map<String, String> labels = new TreeMap<>(labels(pod));
    labels.put(NAMESPACE_TAG, ns);
    labels.put(PROXY_TYPE_LABEL, "sidecar");
    labels.put("kuma.io/mesh", mesh);
    labels.put("kuma.io/origin", "zone");
    labels.put("kuma.io/env", "kubernetes");
    labels.put("kuma.io/display-name", pod.getMetadata().getName());
    return Optional.of(
        new Resource(
            ResourceTypes.DATAPLANE,
            mesh,
            dataplaneName(pod.getMetadata().getName(), ns),
            ResourceMeta.draft(labels),
            spec));
  }

  /** A Service selects a pod when it has a selector, all of whose labels the pod carries. */
  static boolean selects(Service svc, Pod pod) {
    if (svc.getSpec() == null || "ExternalName".equals(svc.getSpec().getType())) {
      return false;
    }
    Map<String, String> selector = svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return false;
    }
    Map<String, String> podLabels = labels(pod);
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(podLabels.get(e.getKey())));
  }

  private static Optional<ObjectNode> inboundFor(Pod pod, Service svc, ServicePort sp) {
    if (sp.getProtocol() != null && !sp.getProtocol().equals("TCP")) {
      return Optional.empty(); // Kuma meshes TCP only
    }
    IntOrString target = sp.getTargetPort();
    int port;
    String portName = null;
    Container container = null;
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      port = sp.getPort();
    } else if (target.getIntVal() != null) {
      port = target.getIntVal();
    } else {
      Optional<Map.Entry<Container, ContainerPort>> named = namedPort(pod, target.getStrVal());
      if (named.isEmpty()) {
        return Optional.empty(); // the pod lacks this Service port: ignored, as Kuma does
      }
      port = named.get().getValue().getContainerPort();
      portName = target.getStrVal();
      container = named.get().getKey();
    }
    if (container == null) {
      container = containerWithPort(pod, port).orElse(null);
    }
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> tags = new TreeMap<>();
    labels(pod).forEach((k, v) -> {
      if (!v.isEmpty() && !k.contains("kuma.io/")) {
        tags.put(k, v);
      }
    });
    tags.put(NAMESPACE_TAG, ns);
    tags.put(SERVICE_NAME_TAG, svc.getMetadata().getName());
    tags.put(SERVICE_PORT_TAG, Integer.toString(sp.getPort()));
    tags.put(Tags.SERVICE, svc.getMetadata().getName() + "_" + ns + "_svc_" + sp.getPort());
    tags.put(Tags.PROTOCOL, protocol(svc, sp));
    if ("None".equals(svc.getSpec().getClusterIP())) {
      tags.put(INSTANCE_TAG, pod.getMetadata().getName());
    }
    ObjectNode in = F.objectNode();
    in.put("port", port);
    if (portName != null) {
      in.put("name", portName);
    }
    boolean ready = ready(pod, container);
    if (!ready) {
      in.put("state", "NotReady");
    }
    in.putObject("health").put("ready", ready);
    ObjectNode t = in.putObject("tags");
    tags.forEach(t::put);
    return Optional.of(in);
  }

  private static ObjectNode serviceless(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> tags = new TreeMap<>();
    labels(pod).forEach((k, v) -> {
      if (!v.isEmpty()) {
        tags.put(k, v);
      }
    });
    tags.put(NAMESPACE_TAG, ns);
    tags.put(Tags.SERVICE, workloadName(pod) + "_" + ns + "_svc");
    tags.put(Tags.PROTOCOL, "tcp");
    tags.put(INSTANCE_TAG, pod.getMetadata().getName());
    ObjectNode in = F.objectNode();
    in.put("port", SERVICELESS_PORT);
    boolean ready = ready(pod, null);
    if (!ready) {
      in.put("state", "NotReady");
    }
    in.putObject("health").put("ready", ready);
    ObjectNode t = in.putObject("tags");
    tags.forEach(t::put);
    return in;
  }

  /**
   * The workload a pod belongs to: the Deployment of its ReplicaSet (the ReplicaSet name without
   * the {@code pod-template-hash} suffix), its StatefulSet, DaemonSet or Job, else the pod itself.
   */
  static String workloadName(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners != null) {
      for (OwnerReference o : owners) {
        if (!Boolean.TRUE.equals(o.getController())) {
          continue;
        }
        if ("ReplicaSet".equals(o.getKind())) {
          String hash = labels(pod).get("pod-template-hash");
          if (hash != null && o.getName().endsWith("-" + hash)) {
            return o.getName().substring(0, o.getName().length() - hash.length() - 1);
          }
        }
        return o.getName();
      }
    }
    return pod.getMetadata().getName();
  }

  /** {@code appProtocol} when Kuma knows it, else {@code <port>.service.kuma.io/protocol}, else tcp. */
  static String protocol(Service svc, ServicePort sp) {
    String value = "";
    if (sp.getAppProtocol() != null && Tags.PROTOCOLS.contains(sp.getAppProtocol().toLowerCase(Locale.ROOT))) {
      value = sp.getAppProtocol();
    }
    Map<String, String> ann = svc.getMetadata().getAnnotations();
    String fromAnnotation = ann == null ? null : ann.get(sp.getPort() + ".service.kuma.io/protocol");
    if (value.isEmpty() && fromAnnotation != null) {
      value = fromAnnotation.trim().toLowerCase(Locale.ROOT);
      if (!Tags.PROTOCOLS.contains(value)) {
        // Kuma writes the unknown value to draw attention; a Dataplane with it would be invalid
        // here, and the pod unmeshed, so fall back to tcp and say so.
        LoggerFactory.getLogger(PodToDataplane.class)
            .warn(
                "ignoring unknown protocol service={} annotation={}.service.kuma.io/protocol value={} (expected one of {})",
                svc.getMetadata().getName(), sp.getPort(), fromAnnotation, Tags.PROTOCOLS);
        value = "";
      }
    }
    return value.isEmpty() ? "tcp" : value.toLowerCase(Locale.ROOT);
  }

  private static Optional<ObjectNode> transparentProxying(Map<String, String> ann) {
    String on = ann.get(Annotations.TRANSPARENT_PROXYING);
    if (on == null || !Annotations.enabled(Annotations.TRANSPARENT_PROXYING, on)) {
      return Optional.empty();
    }
    ObjectNode tp = F.objectNode();
    String in = ann.get(Annotations.TP_INBOUND_PORT);
    String out = ann.get(Annotations.TP_OUTBOUND_PORT);
    if (in == null || out == null) {
      throw new IllegalArgumentException(
          Annotations.TP_INBOUND_PORT + " and " + Annotations.TP_OUTBOUND_PORT + " must be set when " + Annotations.TRANSPARENT_PROXYING + " is enabled");
    }
    tp.put("redirectPortInbound", port(Annotations.TP_INBOUND_PORT, in));
    tp.put("redirectPortOutbound", port(Annotations.TP_OUTBOUND_PORT, out));
    String family = ann.getOrDefault(Annotations.TP_IP_FAMILY_MODE, "dualstack");
    tp.put(
        "ipFamilyMode",
        switch (family) {
          case "dualstack" -> "DualStack";
          case "ipv4" -> "IPv4";
          default ->
              throw new IllegalArgumentException(
                  Annotations.TP_IP_FAMILY_MODE + ": \"" + family + "\" is not valid (expected: dualstack or ipv4)");
        });
    list(ann.get(Annotations.TP_REACHABLE_SERVICES)).ifPresent(l -> tp.set("reachableServices", l));
    list(ann.get(Annotations.DIRECT_ACCESS_SERVICES)).ifPresent(l -> tp.set("directAccessServices", l));
    return Optional.of(tp);
  }

  private static Optional<ArrayNode> list(String value) {
    if (value == null) {
      return Optional.empty();
    }
    ArrayNode a = F.arrayNode();
    for (String p : value.split(",")) {
      if (!p.isBlank()) {
        a.add(p.trim());
      }
    }
    return Optional.of(a);
  }

  /** Kuma's readiness: the serving container (or, without one, every app container) and the sidecar. */
  private static boolean ready(Pod pod, Container container) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
    List<String> toCheck = new ArrayList<>();
    if (container != null) {
      toCheck.add(container.getName());
    } else {
      for (Container c : pod.getSpec().getContainers()) {
        toCheck.add(c.getName());
      }
    }
    toCheck.add(SidecarInjector.SIDECAR_NAME);
    for (ContainerStatus cs : statuses) {
      if (toCheck.contains(cs.getName()) && !Boolean.TRUE.equals(cs.getReady())) {
        return false;
      }
    }
    return true;
  }

  private static Optional<Map.Entry<Container, ContainerPort>> namedPort(Pod pod, String name) {
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        if (name.equals(p.getName())) {
          return Optional.of(Map.entry(c, p));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Container> containerWithPort(Pod pod, int port) {
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getContainerPort() != null && p.getContainerPort() == port)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> labels(Pod pod) {
    Map<String, String> l = pod.getMetadata().getLabels();
    return l == null ? Map.of() : l;
  }

  private static Map<String, String> annotations(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static int port(String key, String value) {
    try {
      int p = Integer.parseInt(value.trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(key + ": \"" + value + "\" is not valid (expected: a port from 1 to 65535)");
  }
}
