package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Kuma's sidecar injector as a pure function: a Pod (as the API server sends it in an
 * AdmissionReview) and its Namespace in, the Pod with the {@code kuma-init} init container and the
 * {@code kuma-sidecar} container out.
 *
 * <p>Who is injected (first match wins): the pod's label {@code kuma.io/sidecar-injection}, its
 * annotation, the namespace's label, the namespace's annotation; values {@code enabled}/{@code
 * disabled} (and {@code true}/{@code false}). Pods that already have a {@code kuma-sidecar}
 * container or {@code kuma.io/sidecar-injected: "true"} are left alone. The mesh is {@code
 * kuma.io/mesh} on the pod or the namespace (label, then annotation), else {@code default}; it must
 * exist.
 */
public final class SidecarInjector {
  static final String SIDECAR_NAME = "kuma-sidecar";
  static final String INIT_NAME = "kuma-init";
  static final String TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  static final String SA_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final int READINESS_PORT = 9902;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final InjectorSettings settings;
  private final Predicate<String> meshExists;

  /**
   * @param settings images, ports and the control-plane URL
   * @param meshExists whether a Mesh of this name exists (pods of a missing mesh are refused)
   */
  public SidecarInjector(InjectorSettings settings, Predicate<String> meshExists) {
    this.settings = settings;
    this.meshExists = meshExists;
  }

  /** What to do with a pod. */
  public sealed interface Outcome {
    /** Leave the pod as it is. */
    record Skip(String reason) implements Outcome {}

    /** Replace the pod with {@code pod} (a mutated copy). */
    record Inject(ObjectNode pod, String mesh) implements Outcome {}
  }

  /**
   * Decides and, if needed, injects.
   *
   * @param pod the pod; not modified
   * @param namespaceMetadata the {@code metadata} of the pod's Namespace (labels, annotations)
   * @throws IllegalArgumentException when the pod cannot be injected (invalid annotation value,
   *     missing mesh, a container running as the sidecar's UID); the message says why
   */
  public Outcome inject(ObjectNode pod, JsonNode namespaceMetadata) {
    JsonNode meta = pod.path("metadata");
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode c : pod.path("spec").path(list)) {
        if (SIDECAR_NAME.equals(c.path("name").asText())) {
          return new Outcome.Skip("pod already has a " + SIDECAR_NAME + " container");
        }
      }
    }
    Optional<String> injected = Annotations.annotation(meta, Annotations.SIDECAR_INJECTED);
    if (injected.isPresent() && Annotations.enabled(Annotations.SIDECAR_INJECTED, injected.get())) {
      return new Outcome.Skip("pod is already injected");
    }
    Optional<Boolean> wanted = injectionWanted(meta, namespaceMetadata);
    if (wanted.isEmpty()) {
      return new Outcome.Skip("neither the pod nor its namespace has " + Annotations.SIDECAR_INJECTION);
    }
    if (!wanted.get()) {
      return new Outcome.Skip(Annotations.SIDECAR_INJECTION + " is disabled");
    }
    String mesh = meshOf(meta, namespaceMetadata);
    if (!meshExists.test(mesh)) {
      throw new IllegalArgumentException(
          "mesh \"" + mesh + "\" does not exist: create the Mesh or fix " + Annotations.MESH + " on the pod or namespace");
    }
    List<String> sameUid = new ArrayList<>();
    for (JsonNode c : pod.path("spec").path("containers")) {
      JsonNode uid = c.path("securityContext").path("runAsUser");
      if (uid.isNumber() && uid.asLong() == settings.uid()) {
        sameUid.add(c.path("name").asText());
      }
    }
    if (!sameUid.isEmpty()) {
      throw new IllegalArgumentException(
          "containers " + sameUid + " run as UID " + settings.uid()
              + ", the sidecar's UID, whose traffic is not redirected: this is not supported");
    }
    return new Outcome.Inject(mutate(pod, mesh), mesh);
  }

  private static Optional<Boolean> injectionWanted(JsonNode pod, JsonNode ns) {
    String key = Annotations.SIDECAR_INJECTION;
    for (Optional<String> v :
        List.of(
            Annotations.label(pod, key),
            Annotations.annotation(pod, key),
            Annotations.label(ns, key),
            Annotations.annotation(ns, key))) {
      if (v.isPresent()) {
        return Optional.of(Annotations.enabled(key, v.get()));
      }
    }
    return Optional.empty();
  }

  /** The pod's mesh: {@code kuma.io/mesh} on the pod, then the namespace; else {@code default}. */
  static String meshOf(JsonNode pod, JsonNode ns) {
    for (Optional<String> v :
        List.of(
            Annotations.label(pod, Annotations.MESH),
            Annotations.annotation(pod, Annotations.MESH),
            Annotations.label(ns, Annotations.MESH),
            Annotations.annotation(ns, Annotations.MESH))) {
      if (v.isPresent() && !v.get().isBlank()) {
        return v.get();
      }
    }
    return "default";
  }

  private ObjectNode mutate(ObjectNode original, String mesh) {
    ObjectNode pod = original.deepCopy();
    ObjectNode meta = object(pod, "metadata");
    ObjectNode spec = object(pod, "spec");
    ObjectNode annotations = object(meta, "annotations");
    ObjectNode labels = object(meta, "labels");

    int inbound = port(annotations, Annotations.TP_INBOUND_PORT, settings.redirectPortInbound());
    int outbound = port(annotations, Annotations.TP_OUTBOUND_PORT, settings.redirectPortOutbound());
    int admin = port(annotations, Annotations.ENVOY_ADMIN_PORT, settings.adminPort());
    String family = text(annotations, Annotations.TP_IP_FAMILY_MODE).orElse("dualstack");
    if (!family.equals("dualstack") && !family.equals("ipv4")) {
      throw new IllegalArgumentException(
          Annotations.TP_IP_FAMILY_MODE + ": \"" + family + "\" is not valid (expected: dualstack or ipv4)");
    }

    ArrayNode containers = array(spec, "containers");
    if (containers.size() == 1 && !annotations.has(Annotations.DEFAULT_CONTAINER)) {
      annotations.put(Annotations.DEFAULT_CONTAINER, containers.get(0).path("name").asText());
    }
    annotations.put(Annotations.ENVOY_ADMIN_PORT, Integer.toString(admin));
    annotations.put(Annotations.SIDECAR_INJECTED, "true");
    annotations.put(Annotations.SIDECAR_UID, Integer.toString(settings.uid()));
    annotations.put(Annotations.TRANSPARENT_PROXYING, "enabled");
    annotations.put(Annotations.TP_INBOUND_PORT, Integer.toString(inbound));
    annotations.put(Annotations.TP_IP_FAMILY_MODE, family);
    annotations.put(Annotations.TP_OUTBOUND_PORT, Integer.toString(outbound));
    labels.put(Annotations.MESH, mesh);

    ArrayNode volumes = array(spec, "volumes");
    Optional<JsonNode> tokenMount = tokenMount(annotations, volumes, containers);
    volumes.add(emptyDir("kuma-init-tmp"));
    volumes.add(emptyDir("kuma-sidecar-tmp"));

    containers.insert(0, sidecar(mesh, tokenMount));
    ArrayNode inits = array(spec, "initContainers");
    ObjectNode init = initContainer(annotations, inbound, outbound, family);
    boolean first =
        text(annotations, Annotations.INIT_FIRST).map(v -> Annotations.enabled(Annotations.INIT_FIRST, v)).orElse(false);
    if (first) {
      inits.insert(0, init);
    } else {
      inits.add(init);
    }
    return pod;
  }

  private ObjectNode sidecar(String mesh, Optional<JsonNode> saMount) {
    ObjectNode c = F.objectNode();
    c.put("name", SIDECAR_NAME);
    c.put("image", settings.sidecarImage());
    c.put("imagePullPolicy", "IfNotPresent");
    c.putArray("args").add("run").add("--log-level=info").add("--concurrency=2");
    ArrayNode env = c.putArray("env");
    env.add(fieldRef("INSTANCE_IP", "status.podIP"));
    // POD_NAME and POD_NAMESPACE come first: KUMA_DATAPLANE_NAME refers to them with $(...).
    env.add(fieldRef("POD_NAME", "metadata.name"));
    env.add(fieldRef("POD_NAMESPACE", "metadata.namespace"));
    if (!settings.caCert().isEmpty()) {
      env.add(value("KUMA_CONTROL_PLANE_CA_CERT", settings.caCert()));
    }
    env.add(value("KUMA_CONTROL_PLANE_URL", settings.controlPlaneUrl()));
    env.add(value("KUMA_DATAPLANE_DRAIN_TIME", "30s"));
    env.add(value("KUMA_DATAPLANE_MESH", mesh));
    env.add(value("KUMA_DATAPLANE_NAME", "$(POD_NAME).$(POD_NAMESPACE)"));
    env.add(value("KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", TOKEN_PATH));
    env.add(value("KUMA_DNS_ENABLED", "false"));
    c.set("readinessProbe", probe(1, 3, 5, 12));
    c.set("livenessProbe", probe(60, 3, 5, 12));
    ObjectNode res = c.putObject("resources");
    res.putObject("limits").put("cpu", "1000m").put("memory", "512Mi");
    res.putObject("requests").put("cpu", "50m").put("memory", "64Mi");
    ObjectNode sc = c.putObject("securityContext");
    sc.put("allowPrivilegeEscalation", false);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.put("readOnlyRootFilesystem", true);
    sc.put("runAsGroup", settings.uid());
    sc.put("runAsUser", settings.uid());
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("mountPath", "/tmp").put("name", "kuma-sidecar-tmp");
    // The ServiceAccount token (kuma-dp's credential) is mounted into the app containers before
    // webhooks run; the sidecar needs the same mount.
    saMount.ifPresent(m -> mounts.add(m.deepCopy()));
    return c;
  }

  private ObjectNode initContainer(ObjectNode annotations, int inbound, int outbound, String family) {
    ObjectNode c = F.objectNode();
    c.put("name", INIT_NAME);
    c.put("image", settings.initImage());
    c.put("imagePullPolicy", "IfNotPresent");
    c.putArray("command").add("/usr/bin/kumactl").add("install").add("transparent-proxy");
    ArrayNode args = c.putArray("args");
    args.add("--redirect-outbound-port").add(Integer.toString(outbound));
    args.add("--redirect-inbound=true");
    args.add("--redirect-inbound-port").add(Integer.toString(inbound));
    args.add("--kuma-dp-user").add(Integer.toString(settings.uid()));
    // kuma-dp's readiness port answers the kubelet's probes directly.
    Set<String> inboundExcluded = new LinkedHashSet<>(list(annotations, Annotations.EXCLUDE_INBOUND_PORTS));
    inboundExcluded.add(Integer.toString(READINESS_PORT));
    args.add("--exclude-inbound-ports").add(String.join(",", inboundExcluded));
    List<String> outboundExcluded = list(annotations, Annotations.EXCLUDE_OUTBOUND_PORTS);
    if (!outboundExcluded.isEmpty()) {
      args.add("--exclude-outbound-ports").add(String.join(",", outboundExcluded));
    }
    for (String[] flag :
        new String[][] {
          {Annotations.EXCLUDE_INBOUND_IPS, "--exclude-inbound-ips"},
          {Annotations.EXCLUDE_OUTBOUND_IPS, "--exclude-outbound-ips"},
        }) {
      List<String> v = list(annotations, flag[0]);
      if (!v.isEmpty()) {
        args.add(flag[1]).add(String.join(",", v));
      }
    }
    text(annotations, Annotations.EXCLUDE_OUTBOUND_PORTS_FOR_UIDS)
        .filter(v -> !v.isBlank())
        .ifPresent(v -> {
          for (String part : v.split(";")) {
            if (!part.isBlank()) {
              args.add("--exclude-outbound-ports-for-uids").add(part.trim());
            }
          }
        });
    args.add("--ip-family-mode").add(family);
    args.add("--verbose");
    c.putArray("env").add(value("XTABLES_LOCKFILE", "/tmp/xtables.lock"));
    ObjectNode res = c.putObject("resources");
    res.putObject("limits").put("cpu", "100m").put("memory", "50M");
    res.putObject("requests").put("cpu", "20m").put("memory", "20M");
    ObjectNode sc = c.putObject("securityContext");
    ObjectNode caps = sc.putObject("capabilities");
    caps.putArray("add").add("NET_ADMIN").add("NET_RAW");
    caps.putArray("drop").add("ALL");
    sc.put("readOnlyRootFilesystem", true);
    sc.put("runAsGroup", 0);
    sc.put("runAsUser", 0);
    c.putArray("volumeMounts").addObject().put("mountPath", "/tmp").put("name", "kuma-init-tmp");
    return c;
  }

  private static ObjectNode probe(int initialDelay, int timeout, int period, int failures) {
    ObjectNode p = F.objectNode();
    p.putObject("httpGet").put("path", "/ready").put("port", READINESS_PORT);
    p.put("initialDelaySeconds", initialDelay);
    p.put("timeoutSeconds", timeout);
    p.put("periodSeconds", period);
    p.put("successThreshold", 1);
    p.put("failureThreshold", failures);
    return p;
  }

  /**
   * The mount that gives the sidecar its ServiceAccount token (its credential on the dataplane
   * server): the pod volume named by {@code kuma.io/service-account-token-volume} (for pods that
   * do not auto-mount a token), else the token mount of the app containers. Without either the
   * pod is still injected, as Kuma does; its kuma-dp then finds no token and the dataplane server
   * refuses it with a message that says so.
   *
   * @throws IllegalArgumentException when the annotation names a volume the pod does not have
   */
  private static Optional<JsonNode> tokenMount(ObjectNode annotations, ArrayNode volumes, ArrayNode containers) {
    Optional<String> named = text(annotations, Annotations.SERVICE_ACCOUNT_TOKEN_VOLUME).map(String::strip).filter(v -> !v.isEmpty());
    if (named.isEmpty()) {
      return serviceAccountMount(containers);
    }
    List<String> existing = new ArrayList<>();
    for (JsonNode v : volumes) {
      existing.add(v.path("name").asText());
    }
    if (!existing.contains(named.get())) {
      throw new IllegalArgumentException(
          Annotations.SERVICE_ACCOUNT_TOKEN_VOLUME + ": volume \"" + named.get() + "\" does not exist in the pod (volumes: "
              + existing + ")");
    }
    ObjectNode m = F.objectNode();
    m.put("mountPath", SA_MOUNT_PATH);
    m.put("name", named.get());
    m.put("readOnly", true);
    return Optional.of(m);
  }

  private static Optional<JsonNode> serviceAccountMount(ArrayNode containers) {
    for (JsonNode c : containers) {
      for (JsonNode m : c.path("volumeMounts")) {
        if (SA_MOUNT_PATH.equals(m.path("mountPath").asText())) {
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }

  private static ObjectNode emptyDir(String name) {
    ObjectNode v = F.objectNode();
    v.putObject("emptyDir").put("sizeLimit", "10M");
    v.put("name", name);
    return v;
  }

  private static ObjectNode fieldRef(String name, String path) {
    ObjectNode e = F.objectNode();
    e.put("name", name);
    e.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", path);
    return e;
  }

  private static ObjectNode value(String name, String value) {
    return F.objectNode().put("name", name).put("value", value);
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }

  private static ArrayNode array(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ArrayNode a) {
      return a;
    }
    return parent.putArray(field);
  }

  private static Optional<String> text(ObjectNode annotations, String key) {
    JsonNode v = annotations.get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  private static List<String> list(ObjectNode annotations, String key) {
    List<String> out = new ArrayList<>();
    text(annotations, key).ifPresent(v -> {
      for (String p : v.split(",")) {
        if (!p.isBlank()) {
          out.add(p.trim());
        }
      }
    });
    return out;
  }

  private static int port(ObjectNode annotations, String key, int fallback) {
    Optional<String> v = text(annotations, key);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      int p = Integer.parseInt(v.get().trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(key + ": \"" + v.get() + "\" is not valid (expected: a port from 1 to 65535)");
  }
}
