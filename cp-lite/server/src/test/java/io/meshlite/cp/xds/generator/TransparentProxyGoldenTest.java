package io.meshlite.cp.xds.generator;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.vip.VipTable;
import io.meshlite.cp.xds.testing.Golden;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transparent proxying goldens: {@code golden/xds/transparent-proxy/<case>/input.yaml} holds a
 * Mesh, its VIP table (the stored {@code Config}) and its Dataplanes; the proxy's node metadata
 * (work dir, IPv6) comes from the test parameters.
 */
class TransparentProxyGoldenTest {

  @ParameterizedTest(name = "{0} for {1}")
  @CsvSource({
    "ipv4, client-1, /tmp/kuma-dp-123, false",
    "dualstack, web-1, /var/run/kuma-dp, true",
  })
  void generatesKumaResources(String caseName, String proxyName, String workDir, boolean ipv6) {
    String dir = "xds/transparent-proxy/" + caseName + "/";
    ResourceSet resources = generate(dir + "input.yaml", proxyName, new ProxyMetadata(workDir, Set.of(), ipv6));

    Golden.assertMatches(dir + "envoy-config.golden.yaml", Golden.yaml(resources.toTree()));
  }

  static ResourceSet generate(String input, String proxyName, ProxyMetadata metadata) {
    List<Resource> all = ResourceCodec.parseDocuments(Golden.read(input));
    Resource mesh = all.stream().filter(r -> r.type() == ResourceTypes.MESH_TYPE).findFirst().orElseThrow();
    List<Resource> dataplanes = all.stream().filter(r -> r.type() == ResourceTypes.DATAPLANE).toList();
    Optional<Resource> vips = all.stream().filter(r -> r.type() == ResourceTypes.CONFIG).findFirst();
    MeshContext ctx = MeshContext.build(mesh, dataplanes, VipTable.addressesOrEmpty(vips));
    Dataplane proxy = ctx.dataplane(proxyName).orElseThrow().withMetadata(metadata);
    return ProxyProfile.dataplane().generate(ctx, proxy);
  }
}
