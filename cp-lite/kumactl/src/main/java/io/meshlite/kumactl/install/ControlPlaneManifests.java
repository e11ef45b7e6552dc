package io.meshlite.kumactl.install;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects of a Kuma control plane in Kubernetes mode, as Kuma's {@code kumactl install
 * control-plane} (its Helm chart) lays them out: the system namespace, every {@code kuma.io} CRD,
 * the ServiceAccount and its RBAC, the TLS Secret, the Service (5680, 5681, 5682, 443 → 5443,
 * 5678), the Deployment (run with {@code KUMA_ENVIRONMENT=kubernetes} and {@code
 * KUMA_STORE_TYPE=kubernetes}) and the MutatingWebhookConfiguration of the sidecar injector.
 */
public final class ControlPlaneManifests {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String TLS_SECRET = "kuma-tls-cert";
  private static final String TLS_DIR = "/var/run/secrets/kuma.io/tls-cert";

  /**
   * What to install.
   *
   * @param namespace the system namespace ({@code --namespace}, kuma-system)
   * @param serviceName the control plane's Service ({@code --control-plane-service-name})
   * @param controlPlaneImage image of kuma-cp
   * @param dataplaneImage image of the injected kuma-dp sidecar
   * @param initImage image of the injected kuma-init init container
   * @param replicas control plane replicas
   * @param envVars extra variables for kuma-cp ({@code --env-var}); they win over the defaults
   */
  public record Options(
      String namespace,
      String serviceName,
      String controlPlaneImage,
      String dataplaneImage,
      String initImage,
      int replicas,
      Map<String, String> envVars) {
    public Options {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(serviceName, "serviceName");
      envVars = Map.copyOf(envVars);
    }
  }

  private ControlPlaneManifests() {}

  /** Every object, in the order {@code kubectl apply} must create them. */
  public static List<ObjectNode> build(Options o, WebhookCertificate cert) {
    List<ObjectNode> out = new ArrayList<>();
    out.add(namespace(o));
    for (KumaCrd crd : KumaCrds.customResources()) {
      out.add(KumaCrds.definition(crd));
    }
    out.add(serviceAccount(o));
    out.add(tlsSecret(o, cert));
    out.add(clusterRole(o));
    out.add(clusterRoleBinding(o));
    out.add(role(o));
    out.add(roleBinding(o));
    out.add(service(o));
    out.add(deployment(o));
    out.add(webhooks(o, cert));
    return out;
  }

  /** The objects as one YAML stream, documents separated by {@code ---}. */
  public static String yaml(List<ObjectNode> objects) {
    StringBuilder b = new StringBuilder();
    for (ObjectNode o : objects) {
      b.append("---\n");
      try {
        b.append(Json.yaml().writeValueAsString(o));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return b.toString();
  }

  private static String cpName(Options o) {
    return o.serviceName();
  }

  private static ObjectNode object(String apiVersion, String kind, String name, String namespace, Options o) {
    ObjectNode n = F.objectNode();
    n.put("apiVersion", apiVersion);
    n.put("kind", kind);
    ObjectNode meta = n.putObject("metadata");
    meta.put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    ObjectNode labels = meta.putObject("labels");
    labels.put("app", cpName(o));
    labels.put("app.kubernetes.io/name", "kuma");
    labels.put("app.kubernetes.io/instance", "kuma");
    return n;
  }

  private static ObjectNode namespace(Options o) {
    ObjectNode n = F.objectNode();
    n.put("apiVersion", "v1");
    n.put("kind", "Namespace");
    ObjectNode meta = n.putObject("metadata");
    meta.put("name", o.namespace());
    meta.putObject("labels").put("kuma.io/system-namespace", "true");
    return n;
  }

  private static ObjectNode serviceAccount(Options o) {
    return object("v1", "ServiceAccount", cpName(o), o.namespace(), o);
  }

  private static ObjectNode tlsSecret(Options o, WebhookCertificate cert) {
    ObjectNode s = object("v1", "Secret", TLS_SECRET, o.namespace(), o);
    s.put("type", "kubernetes.io/tls");
    ObjectNode data = s.putObject("data");
    data.put("tls.crt", b64(cert.certPem()));
    data.put("tls.key", b64(cert.keyPem()));
    data.put("ca.crt", b64(cert.caPem()));
    return s;
  }

  private static ObjectNode clusterRole(Options o) {
    ObjectNode r = object("rbac.authorization.k8s.io/v1", "ClusterRole", cpName(o), null, o);
    ArrayNode rules = r.putArray("rules");
    rule(rules, List.of(""), List.of("namespaces", "pods", "services", "nodes", "endpoints", "configmaps"), List.of("get", "list", "watch"));
    rule(rules, List.of("discovery.k8s.io"), List.of("endpointslices"), List.of("get", "list", "watch"));
    rule(rules, List.of("apps"), List.of("deployments", "replicasets"), List.of("get", "list", "watch"));
    rule(rules, List.of(""), List.of("events"), List.of("create", "patch"));
    List<String> kuma = new ArrayList<>();
    for (KumaCrd crd : KumaCrds.customResources()) {
      kuma.add(crd.plural());
    }
    rule(rules, List.of(KumaCrds.GROUP), kuma, List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"));
    rule(rules, List.of("authentication.k8s.io"), List.of("tokenreviews"), List.of("create"));
    return r;
  }

  private static ObjectNode clusterRoleBinding(Options o) {
    ObjectNode b = object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", cpName(o), null, o);
    binding(b, "ClusterRole", o);
    return b;
  }

  /**
   * Writes only in the system namespace: Secrets (Kuma's Secret and GlobalSecret) and ConfigMaps
   * (Kuma's internal Configs, such as the VIP table {@code kuma-<mesh>-dns-vips}).
   */
  private static ObjectNode role(Options o) {
    ObjectNode r = object("rbac.authorization.k8s.io/v1", "Role", cpName(o), o.namespace(), o);
    rule(
        r.putArray("rules"),
        List.of(""),
        List.of("secrets", "configmaps"),
        List.of("get", "list", "watch", "create", "update", "patch", "delete"));
    return r;
  }

  private static ObjectNode roleBinding(Options o) {
    ObjectNode b = object("rbac.authorization.k8s.io/v1", "RoleBinding", cpName(o), o.namespace(), o);
    binding(b, "Role", o);
    return b;
  }

  private static void binding(ObjectNode b, String roleKind, Options o) {
    ObjectNode ref = b.putObject("roleRef");
    ref.put("apiGroup", "rbac.authorization.k8s.io");
    ref.put("kind", roleKind);
    ref.put("name", cpName(o));
    ObjectNode subject = b.putArray("subjects").addObject();
    subject.put("kind", "ServiceAccount");
    subject.put("name", cpName(o));
    subject.put("namespace", o.namespace());
  }

  private static void rule(ArrayNode rules, List<String> groups, List<String> resources, List<String> verbs) {
    ObjectNode r = rules.addObject();
    groups.forEach(r.putArray("apiGroups")::add);
    resources.forEach(r.putArray("resources")::add);
    verbs.forEach(r.putArray("verbs")::add);
  }

  private static ObjectNode service(Options o) {
    ObjectNode s = object("v1", "Service", cpName(o), o.namespace(), o);
    ObjectNode spec = s.putObject("spec");
    spec.put("type", "ClusterIP");
    ArrayNode ports = spec.putArray("ports");
    port(ports, "diagnostics", 5680, 5680, "http");
    port(ports, "http-api-server", 5681, 5681, "http");
    port(ports, "https-api-server", 5682, 5682, "https");
    port(ports, "https-admission-server", 443, 5443, "https");
    port(ports, "dp-server", 5678, 5678, "https");
    spec.putObject("selector").put("app", cpName(o)).put("app.kubernetes.io/name", "kuma").put("app.kubernetes.io/instance", "kuma");
    return s;
  }

  private static void port(ArrayNode ports, String name, int port, int target, String appProtocol) {
    ObjectNode p = ports.addObject();
    p.put("name", name);
    p.put("port", port);
    p.put("targetPort", target);
    p.put("protocol", "TCP");
    p.put("appProtocol", appProtocol);
  }

  /** The variables kuma-cp runs with (Kuma's Helm defaults for a zone control plane). */
  static Map<String, String> env(Options o) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUMA_ENVIRONMENT", "kubernetes");
    env.put("KUMA_STORE_TYPE", "kubernetes");
    env.put("KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE", o.namespace());
    env.put("KUMA_MODE", "zone");
    env.put("KUMA_GENERAL_WORK_DIR", "/tmp/kuma");
    env.put("KUMA_GENERAL_TLS_CERT_FILE", TLS_DIR + "/tls.crt");
    env.put("KUMA_GENERAL_TLS_KEY_FILE", TLS_DIR + "/tls.key");
    env.put("KUMA_API_SERVER_READ_ONLY", "true");
    env.put("KUMA_DEFAULTS_SKIP_MESH_CREATION", "false");
    env.put("KUMA_RUNTIME_KUBERNETES_CONTROL_PLANE_SERVICE_NAME", o.serviceName());
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", "5443");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR", TLS_DIR);
    env.put("KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE", TLS_DIR + "/ca.crt");
    env.put("KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE", o.dataplaneImage());
    env.put("KUMA_INJECTOR_INIT_CONTAINER_IMAGE", o.initImage());
    env.putAll(o.envVars());
    return env;
  }

  private static ObjectNode deployment(Options o) {
    ObjectNode d = object("apps/v1", "Deployment", cpName(o), o.namespace(), o);
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", o.replicas());
    ObjectNode rollout = spec.putObject("strategy").putObject("rollingUpdate");
    rollout.put("maxSurge", 1);
    rollout.put("maxUnavailable", 0);
    spec.putObject("selector").putObject("matchLabels").put("app", cpName(o)).put("app.kubernetes.io/name", "kuma").put("app.kubernetes.io/instance", "kuma");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", cpName(o)).put("app.kubernetes.io/name", "kuma").put("app.kubernetes.io/instance", "kuma");
    ObjectNode pod = template.putObject("spec");
    pod.put("serviceAccountName", cpName(o));
    pod.put("automountServiceAccountToken", true);
    pod.putObject("securityContext").put("runAsNonRoot", true);
    ObjectNode c = pod.putArray("containers").addObject();
    c.put("name", "control-plane");
    c.put("image", o.controlPlaneImage());
    c.put("imagePullPolicy", "IfNotPresent");
    c.putArray("args").add("run").add("--log-level=info");
    ArrayNode env = c.putArray("env");
    env(o).forEach((k, v) -> env.addObject().put("name", k).put("value", v));
    ArrayNode ports = c.putArray("ports");
    ports.addObject().put("containerPort", 5680).put("name", "diagnostics").put("protocol", "TCP");
    ports.addObject().put("containerPort", 5681).put("name", "http-api").put("protocol", "TCP");
    ports.addObject().put("containerPort", 5682).put("name", "https-api").put("protocol", "TCP");
    ports.addObject().put("containerPort", 5443).put("name", "admission").put("protocol", "TCP");
    ports.addObject().put("containerPort", 5678).put("name", "dp-server").put("protocol", "TCP");
    c.set("livenessProbe", probe("/healthy"));
    c.set("readinessProbe", probe("/ready"));
    ObjectNode res = c.putObject("resources");
    res.putObject("requests").put("cpu", "500m").put("memory", "256Mi");
    res.putObject("limits").put("memory", "512Mi");
    ObjectNode sc = c.putObject("securityContext");
    sc.put("readOnlyRootFilesystem", true);
    sc.put("allowPrivilegeEscalation", false);
    sc.put("runAsUser", 5678);
    sc.put("runAsGroup", 5678);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", "general-tls-cert").put("mountPath", TLS_DIR).put("readOnly", true);
    mounts.addObject().put("name", "tmp").put("mountPath", "/tmp");
    ArrayNode volumes = pod.putArray("volumes");
    volumes.addObject().put("name", "general-tls-cert").putObject("secret").put("secretName", TLS_SECRET);
    volumes.addObject().put("name", "tmp").putObject("emptyDir");
    return d;
  }

  private static ObjectNode probe(String path) {
    ObjectNode p = F.objectNode();
    p.putObject("httpGet").put("path", path).put("port", 5680);
    p.put("timeoutSeconds", 10);
    return p;
  }

  private static ObjectNode webhooks(Options o, WebhookCertificate cert) {
    ObjectNode w = object("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "kuma-admission-mutating-webhook-configuration", null, o);
    ArrayNode hooks = w.putArray("webhooks");
    // Pods of namespaces labelled kuma.io/sidecar-injection: enabled.
    ObjectNode byNamespace = injector(hooks, "namespace-kuma-injector.kuma.io", o, cert);
    ArrayNode nsMatch = byNamespace.putObject("namespaceSelector").putArray("matchExpressions");
    expression(nsMatch, "kuma.io/sidecar-injection", "In", List.of("enabled", "true"));
    expression(nsMatch, "kubernetes.io/metadata.name", "NotIn", List.of("kube-system", o.namespace()));
    // Pods labelled kuma.io/sidecar-injection: enabled in any other namespace.
    ObjectNode byPod = injector(hooks, "pods-kuma-injector.kuma.io", o, cert);
    ArrayNode podNs = byPod.putObject("namespaceSelector").putArray("matchExpressions");
    expression(podNs, "kubernetes.io/metadata.name", "NotIn", List.of("kube-system", o.namespace()));
    expression(podNs, "kuma.io/sidecar-injection", "NotIn", List.of("enabled", "true"));
    ArrayNode podMatch = byPod.putObject("objectSelector").putArray("matchExpressions");
    expression(podMatch, "kuma.io/sidecar-injection", "In", List.of("enabled", "true"));
    return w;
  }

  private static ObjectNode injector(ArrayNode hooks, String name, Options o, WebhookCertificate cert) {
    ObjectNode h = hooks.addObject();
    h.put("name", name);
    h.putArray("admissionReviewVersions").add("v1");
    h.put("failurePolicy", "Fail");
    h.put("sideEffects", "None");
    h.put("timeoutSeconds", 10);
    ObjectNode client = h.putObject("clientConfig");
    client.put("caBundle", b64(cert.caPem()));
    ObjectNode svc = client.putObject("service");
    svc.put("namespace", o.namespace());
    svc.put("name", o.serviceName());
    svc.put("path", "/inject-sidecar");
    svc.put("port", 443);
    ObjectNode rule = h.putArray("rules").addObject();
    rule.putArray("apiGroups").add("");
    rule.putArray("apiVersions").add("v1");
    rule.putArray("operations").add("CREATE");
    rule.putArray("resources").add("pods");
    return h;
  }

  private static void expression(ArrayNode list, String key, String operator, List<String> values) {
    ObjectNode e = list.addObject();
    e.put("key", key);
    e.put("operator", operator);
    values.forEach(e.putArray("values")::add);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
