package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransparentProxyTest {
  private static final String MESH = "type: Mesh\nname: default\n";

  private static Resource dp(String name, String service, String extra) {
    return ResourceCodec.parse(
        "type: Dataplane\nmesh: default\nname: " + name + "\nnetworking:\n  address: 10.0.0.1\n"
            + "  inbound: [{port: 8080, tags: {kuma.io/service: " + service + "}}]\n" + extra);
  }

  private static final String TP = "  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001}\n";

  @Test
  void vipOutboundsCoverEveryServiceWithAVipButLeaveOwnOutboundsAlone() {
    MeshContext mesh =
        MeshContext.build(
            ResourceCodec.parse(MESH),
            List.of(
                dp("client-1", "client", TP + "  outbound: [{address: 240.0.0.2, port: 80, tags: {kuma.io/service: web}}]\n"),
                dp("web-1", "web", ""),
                dp("db-1", "db", ""),
                dp("new-1", "brand-new", "")),
            Map.of("client", "240.0.0.1", "web", "240.0.0.2", "db", "240.0.0.3", "gone", "240.0.0.4"));
    Dataplane client = mesh.dataplane("client-1").orElseThrow();

    assertThat(TransparentProxy.vipOutbounds(mesh, client))
        .containsExactly(
            new Outbound("240.0.0.1", 80, Map.of("kuma.io/service", "client")),
            new Outbound("240.0.0.3", 80, Map.of("kuma.io/service", "db")));
    assertThat(TransparentProxy.outbounds(mesh, client)).hasSize(3);
    assertThat(TransparentProxy.vipOutbounds(mesh, mesh.dataplane("web-1").orElseThrow())).isEmpty();
  }

  @Test
  void defaultIpFamilyModeIsDualStack() {
    MeshContext mesh = MeshContext.build(ResourceCodec.parse(MESH), List.of(dp("a-1", "a", TP)));

    assertThat(TransparentProxy.dualStack(mesh.dataplane("a-1").orElseThrow())).isTrue();
  }

  @Test
  void domainsFollowKuma() {
    assertThat(TransparentProxy.domains("backend")).containsExactly("backend.mesh");
    assertThat(TransparentProxy.domains("backend_kuma-demo_svc_8080"))
        .containsExactly("backend_kuma-demo_svc_8080.mesh", "backend.kuma-demo.svc.8080.mesh");
  }

  @Test
  void outboundsOnLoopbackKeepBindingTheirPort() {
    MeshContext mesh = MeshContext.build(ResourceCodec.parse(MESH), List.of(dp("a-1", "a", TP)));
    Dataplane a = mesh.dataplane("a-1").orElseThrow();
    Listener loopback = listener("127.0.0.1");
    Listener vip = listener("240.0.0.1");

    assertThat(TransparentProxy.outbound(loopback, a).hasBindToPort()).isFalse();
    assertThat(TransparentProxy.outbound(vip, a).getBindToPort().getValue()).isFalse();
    assertThat(TransparentProxy.outbound(vip, a).hasBindToPort()).isTrue();
  }

  private static Listener listener(String address) {
    return Listener.newBuilder()
        .setName("outbound:" + address + ":80")
        .setAddress(io.meshlite.cp.xds.envoy.Addresses.socket(address, 80))
        .build();
  }
}
