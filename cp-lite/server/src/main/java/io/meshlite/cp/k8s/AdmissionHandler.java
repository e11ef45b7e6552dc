package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /inject-sidecar} webhook: an {@code admission.k8s.io/v1} AdmissionReview in, the
 * AdmissionReview with its {@code response} out — allowed, with a JSONPatch when the pod is
 * injected, or denied with a message when it cannot be.
 */
public final class AdmissionHandler {
  private static final Logger log = LoggerFactory.getLogger(AdmissionHandler.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final EnumSet<DiffFlags> DIFF =
      EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

  private final SidecarInjector injector;
  private final Function<String, Optional<JsonNode>> namespaceMetadata;

  /**
   * @param injector decides and builds the injected pod
   * @param namespaceMetadata the {@code metadata} of a Namespace by name, empty when it does not
   *     exist
   */
  public AdmissionHandler(SidecarInjector injector, Function<String, Optional<JsonNode>> namespaceMetadata) {
    this.injector = injector;
    this.namespaceMetadata = namespaceMetadata;
  }

  /**
   * Answers one review.
   *
   * @throws IllegalArgumentException when the body is not an AdmissionReview with a request
   */
  public ObjectNode review(JsonNode body) {
    JsonNode request = body == null ? null : body.get("request");
    if (request == null || !request.isObject() || !"AdmissionReview".equals(body.path("kind").asText())) {
      throw new IllegalArgumentException("expected an admission.k8s.io/v1 AdmissionReview with a request");
    }
    String uid = request.path("uid").asText();
    ObjectNode out = F.objectNode();
    out.put("apiVersion", body.path("apiVersion").asText("admission.k8s.io/v1"));
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);

    JsonNode object = request.get("object");
    boolean podCreate =
        "Pod".equals(request.path("kind").path("kind").asText())
            && "CREATE".equals(request.path("operation").asText())
            && object instanceof ObjectNode;
    if (!podCreate) {
      response.put("allowed", true);
      return out;
    }
    ObjectNode pod = (ObjectNode) object;
    String namespace = request.path("namespace").asText("");
    if (namespace.isEmpty()) {
      namespace = pod.path("metadata").path("namespace").asText("default");
    }
    String podName = pod.path("metadata").path("name").asText(pod.path("metadata").path("generateName").asText(""));
    try {
      String ns = namespace;
      JsonNode nsMeta =
          namespaceMetadata
              .apply(ns)
              .orElseThrow(() -> new IllegalArgumentException("namespace \"" + ns + "\" does not exist"));
      switch (injector.inject(pod, nsMeta)) {
        case SidecarInjector.Outcome.Skip skip -> {
          log.debug("not injecting pod={} namespace={} reason={}", podName, namespace, skip.reason());
          response.put("allowed", true);
        }
        case SidecarInjector.Outcome.Inject inject -> {
          JsonNode patch = JsonDiff.asJson(pod, inject.pod(), DIFF);
          response.put("allowed", true);
          response.put("patchType", "JSONPatch");
          response.put(
              "patch",
              Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
          log.info("injecting kuma sidecar pod={} namespace={} mesh={}", podName, namespace, inject.mesh());
        }
      }
    } catch (IllegalArgumentException e) {
      log.warn("refusing pod pod={} namespace={} error={}", podName, namespace, e.getMessage());
      response.put("allowed", false);
      ObjectNode status = response.putObject("status");
      status.put("code", 400);
      status.put("message", "kuma sidecar injection failed: " + e.getMessage());
    }
    return out;
  }

  /** The JSONPatch of a response, decoded (for tests and logs). */
  static JsonNode patchOf(JsonNode reviewResponse) {
    String b64 = reviewResponse.path("response").path("patch").asText("");
    if (b64.isEmpty()) {
      return F.arrayNode();
    }
    try {
      return io.meshlite.api.resource.Json.mapper()
          .readTree(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
