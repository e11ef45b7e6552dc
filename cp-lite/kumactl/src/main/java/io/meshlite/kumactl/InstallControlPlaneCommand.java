package io.meshlite.kumactl;

import io.meshlite.api.Versions;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.kumactl.install.ControlPlaneManifests;
import io.meshlite.kumactl.install.WebhookCertificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kumactl install control-plane}: prints the manifests of a Kubernetes-mode control plane,
 * to pipe into {@code kubectl apply -f -}. A fresh CA and certificate for the admission webhook are
 * generated on every run (as Kuma's chart does on install) and shipped in the {@code kuma-tls-cert}
 * Secret.
 */
@Command(
    name = "control-plane",
    description = "Install Kuma Control Plane on Kubernetes (prints the manifests; pipe them to `kubectl apply -f -`).")
final class InstallControlPlaneCommand implements Callable<Integer> {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  @Option(names = "--namespace", paramLabel = "NAMESPACE", description = "namespace to install Kuma to (default \"kuma-system\")")
  String namespace = KumaCrds.DEFAULT_SYSTEM_NAMESPACE;

  @Option(names = "--control-plane-service-name", paramLabel = "NAME", description = "Service name of the Kuma Control Plane (default \"kuma-control-plane\")")
  String serviceName = "kuma-control-plane";

  @Option(names = "--control-plane-registry", paramLabel = "REGISTRY", description = "registry of the Kuma Control Plane image (default \"docker.io/kumahq\")")
  String cpRegistry = "docker.io/kumahq";

  @Option(names = "--control-plane-repository", paramLabel = "REPOSITORY", description = "repository of the Kuma Control Plane image (default \"kuma-cp\")")
  String cpRepository = "kuma-cp";

  @Option(names = "--control-plane-version", paramLabel = "VERSION", description = "version (image tag) of the Kuma Control Plane")
  String version = Versions.VERSION;

  @Option(names = "--control-plane-image", paramLabel = "IMAGE", description = "the whole Kuma Control Plane image, e.g. registry.local/kuma-cp:dev (overrides registry/repository/version)")
  String cpImage;

  @Option(names = "--dataplane-registry", paramLabel = "REGISTRY", description = "registry of the kuma-dp image (default \"docker.io/kumahq\")")
  String dpRegistry = "docker.io/kumahq";

  @Option(names = "--dataplane-repository", paramLabel = "REPOSITORY", description = "repository of the kuma-dp image (default \"kuma-dp\")")
  String dpRepository = "kuma-dp";

  @Option(names = "--dataplane-image", paramLabel = "IMAGE", description = "the whole kuma-dp sidecar image (overrides registry/repository)")
  String dpImage;

  @Option(names = "--dataplane-init-registry", paramLabel = "REGISTRY", description = "registry of the init container image (default \"docker.io/kumahq\")")
  String initRegistry = "docker.io/kumahq";

  @Option(names = "--dataplane-init-repository", paramLabel = "REPOSITORY", description = "repository of the init container image (default \"kuma-init\")")
  String initRepository = "kuma-init";

  @Option(names = "--dataplane-init-image", paramLabel = "IMAGE", description = "the whole kuma-init image (overrides registry/repository)")
  String initImage;

  @Option(names = "--replicas", paramLabel = "N", description = "number of Control Plane replicas (default 1)")
  int replicas = 1;

  @Option(names = "--env-var", paramLabel = "NAME=VALUE", description = "environment variable of the Control Plane, e.g. KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE=...; repeatable")
  List<String> envVars = List.of();

  private final RootCommand root;

  InstallControlPlaneCommand(RootCommand root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw new CliException("--namespace: \"" + namespace + "\" is not a valid namespace name (lowercase letters, digits and '-')");
    }
    if (!DNS_LABEL.matcher(serviceName).matches()) {
      throw new CliException("--control-plane-service-name: \"" + serviceName + "\" is not a valid Service name");
    }
    if (replicas < 1) {
      throw new CliException("--replicas: " + replicas + " (expected: 1 or more)");
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : envVars) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new CliException("--env-var: \"" + e + "\" is not NAME=VALUE");
      }
      env.put(e.substring(0, eq), e.substring(eq + 1));
    }
    ControlPlaneManifests.Options o =
        new ControlPlaneManifests.Options(
            namespace,
            serviceName,
            cpImage != null ? cpImage : cpRegistry + "/" + cpRepository + ":" + version,
            dpImage != null ? dpImage : dpRegistry + "/" + dpRepository + ":" + version,
            initImage != null ? initImage : initRegistry + "/" + initRepository + ":" + version,
            replicas,
            env);
    WebhookCertificate cert = WebhookCertificate.generate(serviceName, namespace, root.now());
    root.out.print(ControlPlaneManifests.yaml(ControlPlaneManifests.build(o, cert)));
    return 0;
  }
}
