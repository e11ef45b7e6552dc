package io.meshlite.cp.policy.trafficpermission;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.policy.MeshTrafficPermissionSpec;
import io.meshlite.api.policy.MeshTrafficPermissionSpec.Action;
import io.meshlite.api.policy.TrafficPermissionSpec;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.policy.Subset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficPermissionsTest {
  private static final Inbound BACKEND_V1 =
      new Inbound(80, 8080, "127.0.0.1", "10.0.0.1", Map.of("kuma.io/service", "backend", "version", "v1"), "Ready");

  private static TrafficPermissions.Named<MeshTrafficPermissionSpec> mtp(String name, String spec) {
    return new TrafficPermissions.Named<>(
        name,
        MeshTrafficPermissionSpec.parse(
            ResourceCodec.parse("type: MeshTrafficPermission\nmesh: m\nname: " + name + "\nspec:\n" + spec).spec()));
  }

  private static TrafficPermissions.Named<TrafficPermissionSpec> tp(String name, String yaml) {
    return new TrafficPermissions.Named<>(
        name, TrafficPermissionSpec.parse(ResourceCodec.parse("type: TrafficPermission\nmesh: m\nname: " + name + "\n" + yaml).spec()));
  }

  private static String from(String kind, String action) {
    return "  from:\n  - targetRef: {" + kind + "}\n    default: {action: " + action + "}\n";
  }

  @Test
  void nothingMatchingDeniesAll() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(mtp("other", "  targetRef: {kind: MeshService, name: other}\n" + from("kind: Mesh", "Allow"))),
            List.of(tp("tp", "sources: [{match: {kuma.io/service: a}}]\ndestinations: [{match: {kuma.io/service: other}}]")));
    assertThat(p.forInbound("backend-1", BACKEND_V1)).isEqualTo(new InboundPermission.DenyAll());
  }

  @Test
  void aMoreSpecificKindWinsOverMesh() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(
                mtp("a-mesh", "  targetRef: {kind: Mesh}\n" + from("kind: Mesh", "Allow")),
                mtp("z-service", "  targetRef: {kind: MeshService, name: backend}\n" + from("kind: Mesh", "Deny"))),
            List.of());
    InboundPermission.MeshRules r = (InboundPermission.MeshRules) p.forInbound("backend-1", BACKEND_V1);
    assertThat(r.policies()).containsExactly("a-mesh", "z-service");
    assertThat(r.rules()).singleElement().satisfies(rule -> assertThat(rule.conf()).isEqualTo(Action.Deny));
  }

  @Test
  void forEqualKindsTheAlphabeticallyFirstNameWins() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(
                mtp("aaa", "  targetRef: {kind: Mesh}\n" + from("kind: Mesh", "Allow")),
                mtp("bbb", "  targetRef: {kind: Mesh}\n" + from("kind: Mesh", "Deny"))),
            List.of());
    InboundPermission.MeshRules r = (InboundPermission.MeshRules) p.forInbound("backend-1", BACKEND_V1);
    assertThat(r.policies()).containsExactly("bbb", "aaa");
    assertThat(r.rules()).singleElement().satisfies(rule -> assertThat(rule.conf()).isEqualTo(Action.Allow));
  }

  @Test
  void subsetsAndDataplaneNamesSelectInbounds() {
    TrafficPermissions bySubset =
        new TrafficPermissions(
            List.of(mtp("v2-only", "  targetRef: {kind: MeshSubset, tags: {version: v2}}\n" + from("kind: Mesh", "Allow"))),
            List.of());
    assertThat(bySubset.forInbound("backend-1", BACKEND_V1)).isInstanceOf(InboundPermission.DenyAll.class);
    TrafficPermissions byDataplane =
        new TrafficPermissions(
            List.of(mtp("dp", "  targetRef: {kind: Dataplane, name: backend-1}\n" + from("kind: MeshService, name: web", "Allow"))),
            List.of());
    InboundPermission.MeshRules r = (InboundPermission.MeshRules) byDataplane.forInbound("backend-1", BACKEND_V1);
    assertThat(r.rules()).singleElement().satisfies(rule -> assertThat(rule.subset()).isEqualTo(Subset.of(Map.of("kuma.io/service", "web"))));
    assertThat(byDataplane.forInbound("backend-2", BACKEND_V1)).isInstanceOf(InboundPermission.DenyAll.class);
  }

  @Test
  void meshTrafficPermissionsTakeOverFromLegacyOnes() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(mtp("m", "  targetRef: {kind: Mesh}\n" + from("kind: Mesh", "Allow"))),
            List.of(tp("tp", "sources: [{match: {kuma.io/service: a}}]\ndestinations: [{match: {kuma.io/service: backend}}]")));
    assertThat(p.forInbound("backend-1", BACKEND_V1)).isInstanceOf(InboundPermission.MeshRules.class);
  }

  @Test
  void theBestMatchingLegacyPermissionApplies() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(),
            List.of(
                tp("all", "sources: [{match: {kuma.io/service: '*'}}]\ndestinations: [{match: {kuma.io/service: '*'}}]"),
                tp("exact", "sources: [{match: {kuma.io/service: web}}]\ndestinations: [{match: {kuma.io/service: backend}}]"),
                tp("wrong", "sources: [{match: {kuma.io/service: x}}]\ndestinations: [{match: {kuma.io/service: backend, version: v2}}]")));
    assertThat(p.forInbound("backend-1", BACKEND_V1))
        .isEqualTo(new InboundPermission.Legacy("exact", List.of(Map.of("kuma.io/service", "web"))));
    assertThat(TrafficPermissions.rank(Map.of("kuma.io/service", "*"), BACKEND_V1.tags())).isEqualTo(1);
    assertThat(TrafficPermissions.rank(Map.of("team", "*"), BACKEND_V1.tags())).isEqualTo(-1);
  }

  @Test
  void rbacAllowsShadowDeniesAndDeniesAsKuma() {
    TrafficPermissions p =
        new TrafficPermissions(
            List.of(
                mtp(
                    "m",
                    """
                      targetRef: {kind: Mesh}
                      from:
                      - targetRef: {kind: MeshService, name: web}
                        default: {action: AllowWithShadowDeny}
                      - targetRef: {kind: MeshService, name: evil}
                        default: {action: Deny}
                    """)),
            List.of());
    Rbac.Rules r = Rbac.rules("demo", p.forInbound("backend-1", BACKEND_V1));
    var principals = r.rules().getPoliciesOrThrow(Rbac.POLICY_NAME).getPrincipalsList();
    assertThat(principals).singleElement().satisfies(
        pr -> assertThat(pr.getAuthenticated().getPrincipalName().getExact()).isEqualTo("spiffe://demo/web"));
    assertThat(r.shadow()).isPresent();
    assertThat(r.shadow().get().getPoliciesOrThrow(Rbac.POLICY_NAME).getPrincipalsList()).isEqualTo(principals);
    assertThat(Rbac.rules("demo", new InboundPermission.DenyAll()).rules().getPoliciesCount()).isZero();
  }
}
