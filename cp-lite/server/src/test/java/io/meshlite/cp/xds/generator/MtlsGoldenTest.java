package io.meshlite.cp.xds.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.ca.MtlsSupport;
import io.meshlite.cp.ca.Pem;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * mTLS and traffic permission goldens: {@code golden/xds/mtls/<case>/input.yaml} (a Mesh, its
 * policies and Dataplanes) → {@code envoy-config.golden.yaml}. The CA and the proxy certificate
 * are really generated (in a memory store, at a fixed time); in the golden their bytes are replaced
 * by what they contain (subject, issuer, validity, URI SANs; key type and size), which is stable.
 */
class MtlsGoldenTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest(name = "{0} for {1}")
  @CsvSource({
    "strict-allow-all, backend-1",
    "strict-no-permission, db-1",
    "permissive-legacy-tp, backend-1",
    "mtp-merge, backend-1",
    "off, web-1",
  })
  void generatesKumaResources(String caseName, String proxyName) throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (MemoryStore store = new MemoryStore(clock)) {
      List<Resource> input = ResourceCodec.parseDocuments(Golden.read("xds/mtls/" + caseName + "/input.yaml"));
      input.forEach(store::create);
      Resource mesh = input.stream().filter(r -> r.type() == ResourceTypes.MESH_TYPE).findFirst().orElseThrow();
      List<Resource> dataplanes = input.stream().filter(r -> r.type() == ResourceTypes.DATAPLANE).toList();
      MtlsSupport mtls = new MtlsSupport(store, clock);
      MeshContext ctx = mtls.enrich(MeshContext.build(mesh, dataplanes));
      Dataplane proxy = ctx.dataplane(proxyName).orElseThrow();

      ResourceSet resources = ProxyProfile.dataplane().generate(ctx, proxy, mtls.forProxy(ctx, proxy).generators());

      Golden.assertMatches(
          "xds/mtls/" + caseName + "/envoy-config.golden.yaml", Golden.yaml(redact(resources.toTree())));
    }
  }

  /** Replaces PEM bytes in secrets by a description of their content. */
  static JsonNode redact(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      JsonNode bytes = o.get("inlineBytes");
      if (bytes != null && bytes.isTextual()) {
        String pem = new String(Base64.getDecoder().decode(bytes.asText()), StandardCharsets.US_ASCII);
        o.put("inlineBytes", describe(pem));
      }
      o.properties().forEach(e -> redact(e.getValue()));
    } else if (n.isArray()) {
      n.forEach(MtlsGoldenTest::redact);
    }
    return n;
  }

  private static String describe(String pem) {
    if (pem.contains("PRIVATE KEY")) {
      PrivateKey k = Pem.privateKey(pem);
      return "<" + k.getAlgorithm() + " private key, " + ((RSAKey) k).getModulus().bitLength() + " bits>";
    }
    List<String> out = new ArrayList<>();
    for (X509Certificate c : Pem.certificates(pem)) {
      List<String> uris = new ArrayList<>();
      try {
        if (c.getSubjectAlternativeNames() != null) {
          c.getSubjectAlternativeNames().forEach(san -> uris.add(String.valueOf(san.get(1))));
        }
      } catch (CertificateParsingException e) {
        throw new IllegalStateException(e);
      }
      out.add(
          "<certificate subject=\"" + c.getSubjectX500Principal() + "\" issuer=\"" + c.getIssuerX500Principal()
              + "\" notBefore=" + c.getNotBefore().toInstant() + " notAfter=" + c.getNotAfter().toInstant()
              + " ca=" + (c.getBasicConstraints() >= 0) + " uris=" + uris + ">");
    }
    return String.join("\n", out);
  }
}
