package io.meshlite.cp.k8s;

import io.meshlite.cp.config.CpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the sidecar injector puts into pods ({@code runtime.kubernetes.injector.*}).
 *
 * @param sidecarImage the kuma-dp image
 * @param initImage the kuma-init image
 * @param controlPlaneUrl the dp-server URL the sidecar dials, e.g. {@code
 *     https://kuma-control-plane.kuma-system:5678}
 * @param caCert PEM of the CA that signs the dp-server certificate, or empty
 * @param redirectPortInbound inbound redirect port (15006)
 * @param redirectPortOutbound outbound redirect port (15001)
 * @param uid the user of kuma-dp (5678); its traffic is not redirected
 * @param adminPort Envoy's admin port (9901)
 */
public record InjectorSettings(
    String sidecarImage,
    String initImage,
    String controlPlaneUrl,
    String caCert,
    int redirectPortInbound,
    int redirectPortOutbound,
    int uid,
    int adminPort) {

  public InjectorSettings {
    Objects.requireNonNull(sidecarImage, "sidecarImage");
    Objects.requireNonNull(initImage, "initImage");
    Objects.requireNonNull(controlPlaneUrl, "controlPlaneUrl");
    caCert = caCert == null ? "" : caCert;
  }

  /** Kuma's defaults with the given dp-server URL (used by tests and as a base). */
  public static InjectorSettings defaults(String controlPlaneUrl) {
    return new InjectorSettings(
        "kuma/kuma-dp:latest", "kuma/kuma-init:latest", controlPlaneUrl, "", 15006, 15001, 5678, 9901);
  }

  /**
   * From the control plane's config: the URL is {@code https://<controlPlaneServiceName>.<system
   * namespace>:<dpServer.port>}.
   *
   * @throws IllegalArgumentException when {@code caCertFile} cannot be read
   */
  public static InjectorSettings from(CpConfig config) {
    CpConfig.Kubernetes k = config.runtime().kubernetes();
    CpConfig.Injector inj = k.injector();
    String ca = "";
    if (!inj.caCertFile().isBlank()) {
      try {
        ca = Files.readString(Path.of(inj.caCertFile()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE: cannot read " + inj.caCertFile() + ": " + e.getMessage(), e);
      }
    }
    int port = config.dpServerPort() == 0 ? 5678 : config.dpServerPort();
    String url =
        "https://" + k.controlPlaneServiceName() + "." + config.store().kubernetes().systemNamespace() + ":" + port;
    return new InjectorSettings(
        inj.sidecarContainer().image(),
        inj.initContainer().image(),
        url,
        ca,
        inj.sidecarContainer().redirectPortInbound(),
        inj.sidecarContainer().redirectPortOutbound(),
        inj.sidecarContainer().uid(),
        inj.sidecarContainer().adminPort());
  }
}
