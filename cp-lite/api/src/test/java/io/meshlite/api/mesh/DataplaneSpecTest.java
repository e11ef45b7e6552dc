package io.meshlite.api.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import org.junit.jupiter.api.Test;

class DataplaneSpecTest {

  private static Resource dp(String networking) {
    return ResourceCodec.parse("type: Dataplane\nmesh: default\nname: dp\nnetworking:\n" + networking);
  }

  @Test
  void parsesInboundsOutboundsAndDefaults() {
    DataplaneSpec s =
        DataplaneSpec.parse(
            dp(
                    """
                      address: 192.168.0.1
                      inbound:
                      - port: 80
                        servicePort: 8080
                        tags: {kuma.io/service: backend, kuma.io/protocol: http, version: v1}
                      - port: 81
                        tags: {kuma.io/service: metrics}
                        state: NotReady
                      outbound:
                      - port: 54321
                        tags: {kuma.io/service: db}
                      admin: {port: 9911}
                    """)
                .spec());
    var n = s.networking();
    assertThat(n.address()).isEqualTo("192.168.0.1");
    assertThat(n.inbound()).hasSize(2);
    var in = n.inbound().get(0);
    assertThat(in.service()).isEqualTo("backend");
    assertThat(in.protocol()).isEqualTo("http");
    assertThat(in.servicePort()).isEqualTo(8080);
    assertThat(in.address()).isEqualTo("192.168.0.1");
    assertThat(in.serviceAddress()).isEqualTo("127.0.0.1");
    assertThat(in.ready()).isTrue();
    assertThat(n.inbound().get(1).servicePort()).isEqualTo(81);
    assertThat(n.inbound().get(1).ready()).isFalse();
    assertThat(n.outbound().get(0).address()).isEqualTo("127.0.0.1");
    assertThat(n.outbound().get(0).service()).isEqualTo("db");
    assertThat(s.adminPort(9901)).isEqualTo(9911);
  }

  @Test
  void missingServiceTagNamesTheFieldAsKumaDoes() {
    assertThatThrownBy(
            () ->
                Specs.validate(
                    dp(
                        """
                          address: 10.0.0.1
                          inbound: [{port: 80, tags: {version: v1}}]
                        """)))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        new Violation(
                            "networking.inbound[0].tags[\"kuma.io/service\"]",
                            "tag has to exist")));
  }

  @Test
  void collectsEveryProblem() {
    assertThatThrownBy(
            () ->
                DataplaneSpec.parse(
                    dp(
                            """
                              address: ""
                              inbound:
                              - port: 70000
                                tags: {kuma.io/service: a, kuma.io/protocol: smtp}
                              - port: "80"
                                tags: {kuma.io/service: ""}
                              outbound:
                              - tags: {kuma.io/service: b}
                            """)
                        .spec()))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.violations())
                    .extracting(Violation::field)
                    .containsExactlyInAnyOrder(
                        "networking.address",
                        "networking.inbound[0].port",
                        "networking.inbound[0].tags[\"kuma.io/protocol\"]",
                        "networking.inbound[1].port",
                        "networking.inbound[1].tags[\"kuma.io/service\"]",
                        "networking.outbound[0].port"));
  }

  @Test
  void needsNetworkingAndAnInbound() {
    assertThatThrownBy(
            () -> DataplaneSpec.parse(ResourceCodec.parse("type: Dataplane\nmesh: m\nname: d\n").spec()))
        .hasMessageContaining("networking: must be defined");
    assertThatThrownBy(() -> DataplaneSpec.parse(dp("  address: 10.0.0.1\n").spec()))
        .hasMessageContaining("at least one inbound");
  }

  @Test
  void transparentProxyingDefaults() {
    DataplaneSpec s =
        DataplaneSpec.parse(
            dp(
                    """
                      address: 10.0.0.1
                      inbound: [{port: 80, tags: {kuma.io/service: a}}]
                      transparentProxying: {}
                    """)
                .spec());
    assertThat(s.networking().transparentProxying())
        .contains(new DataplaneSpec.TransparentProxying(15006, 15001, "DualStack"));
  }

  @Test
  void meshMtlsBackendMustExist() {
    Resource mesh =
        ResourceCodec.parse(
            "type: Mesh\nname: m\nmtls: {enabledBackend: ca-2, backends: [{name: ca-1, type: builtin}]}\n");
    assertThatThrownBy(() -> Specs.validate(mesh)).hasMessageContaining("mtls.enabledBackend");
  }
}
