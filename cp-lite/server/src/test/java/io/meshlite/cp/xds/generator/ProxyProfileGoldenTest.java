package io.meshlite.cp.xds.generator;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.xds.testing.Golden;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generates a proxy's resources from {@code golden/xds/<case>/input.yaml} (a Mesh and its
 * Dataplanes) and compares them with {@code envoy-config.golden.yaml} in the same folder.
 */
class ProxyProfileGoldenTest {

  @ParameterizedTest(name = "{0} for {1}")
  @CsvSource({
    "inbound-tcp, web-1",
    "inbound-http, api-1",
    "outbound, client-1",
    "typical, backend-1",
  })
  void generatesKumaResources(String caseName, String proxyName) {
    List<Resource> input = ResourceCodec.parseDocuments(Golden.read("xds/" + caseName + "/input.yaml"));
    Resource mesh = input.stream().filter(r -> r.type() == ResourceTypes.MESH_TYPE).findFirst().orElseThrow();
    List<Resource> dataplanes = input.stream().filter(r -> r.type() == ResourceTypes.DATAPLANE).toList();
    MeshContext ctx = MeshContext.build(mesh, dataplanes);
    Dataplane proxy = ctx.dataplane(proxyName).orElseThrow();

    ResourceSet resources = ProxyProfile.dataplane().generate(ctx, proxy);

    Golden.assertMatches("xds/" + caseName + "/envoy-config.golden.yaml", Golden.yaml(resources.toTree()));
  }
}
