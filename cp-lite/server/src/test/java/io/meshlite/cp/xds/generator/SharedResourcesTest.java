package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resources the same for many proxies are one instance, and stay one across unrelated changes. */
class SharedResourcesTest {
  private static final ProxyProfile PROFILE = ProxyProfile.dataplane();

  private static Resource dataplane(String name, String address, String service, String outbound) {
    return ResourceCodec.parse(
        "type: Dataplane\nmesh: default\nname: " + name + "\nnetworking:\n  address: " + address
            + "\n  inbound:\n  - port: 8080\n    tags: {kuma.io/service: " + service + "}\n"
            + (outbound.isEmpty() ? "" : "  outbound:\n  - port: 10001\n    tags: {kuma.io/service: " + outbound + "}\n"));
  }

  private static MeshContext context(List<Resource> dataplanes) {
    return MeshContext.build(ResourceCodec.parse("type: Mesh\nname: default\n"), dataplanes);
  }

  private static ResourceSet generate(MeshContext ctx, String name) {
    return PROFILE.generate(ctx, ctx.dataplane(name).orElseThrow());
  }

  @Test
  void callersOfAServiceShareItsResourcesAcrossUnrelatedChanges() {
    List<Resource> dps = new ArrayList<>();
    dps.add(dataplane("web-1", "10.0.0.1", "web", "backend"));
    dps.add(dataplane("web-2", "10.0.0.2", "web", "backend"));
    dps.add(dataplane("backend-1", "10.0.0.3", "backend", ""));
    MeshContext first = context(dps);

    ClusterLoadAssignment a = generate(first, "web-1").endpoints().get(0);
    ClusterLoadAssignment b = generate(first, "web-2").endpoints().get(0);
    assertThat(a).isSameAs(b);
    assertThat(generate(first, "web-1").clusters().get(0)).isSameAs(generate(first, "web-2").clusters().get(0));
    assertThat(generate(first, "web-1").listeners().get(1)).isSameAs(generate(first, "web-2").listeners().get(1));

    // An instance of another service joins: backend's endpoints are unchanged, so is its assignment.
    dps.add(dataplane("other-1", "10.0.0.4", "other", ""));
    MeshContext second = context(dps).sharingWith(first);
    assertThat(generate(second, "web-1").endpoints().get(0)).isSameAs(a);

    // A backend instance joins: a new assignment with both endpoints, shared again.
    dps.add(dataplane("backend-2", "10.0.0.5", "backend", ""));
    MeshContext third = context(dps).sharingWith(second);
    ClusterLoadAssignment c = generate(third, "web-1").endpoints().get(0);
    assertThat(c).isNotSameAs(a);
    assertThat(c.getEndpoints(0).getLbEndpointsCount()).isEqualTo(2);
    assertThat(generate(third, "web-2").endpoints().get(0)).isSameAs(c);
    // web-1's inbound side did not change: its listener is the one built the first time.
    assertThat(generate(third, "web-1").listeners().get(0)).isSameAs(generate(first, "web-1").listeners().get(0));
    assertThat(generate(third, "web-1").listeners().get(0).getName()).startsWith("inbound:");
    // The unchanged Dataplanes are the previous instances, so comparing revisions is cheap.
    assertThat(third.dataplane("web-1").orElseThrow()).isSameAs(first.dataplane("web-1").orElseThrow());
  }
}
