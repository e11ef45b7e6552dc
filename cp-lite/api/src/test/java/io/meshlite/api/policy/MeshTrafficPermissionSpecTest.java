package io.meshlite.api.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.mesh.Specs;
import io.meshlite.api.policy.MeshTrafficPermissionSpec.Action;
import io.meshlite.api.policy.TargetRef.Kind;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshTrafficPermissionSpecTest {

  private static Resource mtp(String spec) {
    return ResourceCodec.parse("type: MeshTrafficPermission\nmesh: demo\nname: p\nspec:\n" + spec);
  }

  private static List<Violation> violations(String spec) {
    try {
      Specs.validate(mtp(spec));
    } catch (ValidationException e) {
      return e.violations();
    }
    throw new AssertionError("expected a validation error for:\n" + spec);
  }

  @Test
  void parsesTargetRefsAndActions() {
    MeshTrafficPermissionSpec s =
        MeshTrafficPermissionSpec.parse(
            mtp(
                    """
                      targetRef:
                        kind: MeshService
                        name: backend
                      from:
                      - targetRef: {kind: Mesh}
                        default: {action: Deny}
                      - targetRef: {kind: MeshSubset, tags: {version: v1}}
                        default: {action: AllowWithShadowDeny}
                      - targetRef: {kind: MeshServiceSubset, name: web, tags: {zone: a}}
                        default: {action: Allow}
                    """)
                .spec());
    assertThat(s.targetRef().kind()).isEqualTo(Kind.MeshService);
    assertThat(s.targetRef().name()).isEqualTo("backend");
    assertThat(s.from())
        .extracting(MeshTrafficPermissionSpec.From::action)
        .containsExactly(Action.Deny, Action.AllowWithShadowDeny, Action.Allow);
    assertThat(s.from().get(1).targetRef().tags()).isEqualTo(Map.of("version", "v1"));
    assertThat(s.from().get(2).targetRef().name()).isEqualTo("web");
  }

  @Test
  void aMissingTopLevelTargetRefMeansMesh() {
    MeshTrafficPermissionSpec s =
        MeshTrafficPermissionSpec.parse(
            mtp("  from:\n  - targetRef: {kind: Mesh}\n    default: {action: Allow}\n").spec());
    assertThat(s.targetRef()).isEqualTo(TargetRef.MESH);
  }

  @Test
  void badActionNamesTheField() {
    assertThat(
            violations(
                """
                  targetRef: {kind: Mesh}
                  from:
                  - targetRef: {kind: Mesh}
                    default: {action: Permit}
                  - targetRef: {kind: Mesh}
                    default: {}
                """))
        .containsExactly(
            new Violation(
                "spec.from[0].default.action", "\"Permit\" is not valid (expected: Allow, Deny or AllowWithShadowDeny)"),
            new Violation("spec.from[1].default.action", "must be defined"));
  }

  @Test
  void targetRefRulesAreChecked() {
    assertThat(
            violations(
                """
                  targetRef: {kind: MeshService}
                  from:
                  - targetRef: {kind: Mesh, name: x}
                    default: {action: Allow}
                  - targetRef: {kind: MeshGateway, name: gw}
                    default: {action: Allow}
                  - targetRef: {kind: MeshService, name: web, tags: {a: b}}
                  - default: {action: Allow}
                """))
        .containsExactly(
            new Violation("spec.targetRef.name", "must be set with kind MeshService"),
            new Violation("spec.from[0].targetRef.name", "must not be set with kind Mesh"),
            new Violation(
                "spec.from[1].targetRef.kind",
                "\"MeshGateway\" is not supported here (expected one of: Mesh, MeshSubset, MeshService, MeshServiceSubset)"),
            new Violation("spec.from[2].targetRef.tags", "must not be set with kind MeshService"),
            new Violation("spec.from[2].default", "must be defined"),
            new Violation("spec.from[3].targetRef", "must be defined"));
  }

  @Test
  void fromIsRequiredAndRulesAreNotSupportedYet() {
    assertThat(violations("  targetRef: {kind: Mesh}\n"))
        .containsExactly(new Violation("spec.from", "needs at least one item"));
    assertThat(violations("  rules:\n  - default: {allow: [{spiffeID: {type: Exact, value: x}}]}\n"))
        .containsExactly(
            new Violation("spec.rules", "is not supported yet (use from[] with targetRef and default.action)"));
  }

  @Test
  void legacyTrafficPermissionNeedsSourcesAndDestinations() {
    Resource ok =
        ResourceCodec.parse(
            """
            type: TrafficPermission
            mesh: demo
            name: tp-1
            sources:
            - match: {kuma.io/service: web}
            destinations:
            - match: {kuma.io/service: '*'}
            """);
    Specs.validate(ok);
    TrafficPermissionSpec s = TrafficPermissionSpec.parse(ok.spec());
    assertThat(s.sources()).containsExactly(Map.of("kuma.io/service", "web"));
    assertThat(s.destinations()).containsExactly(Map.of("kuma.io/service", "*"));

    Resource bad =
        ResourceCodec.parse(
            """
            type: TrafficPermission
            mesh: demo
            name: tp-2
            sources:
            - match: {}
            - match: {version: ""}
            """);
    try {
      Specs.validate(bad);
      throw new AssertionError("expected a validation error");
    } catch (ValidationException e) {
      assertThat(e.violations())
          .containsExactly(
              new Violation("sources[0].match", "must have at least one tag"),
              new Violation("sources[1].match[\"version\"]", "tag value cannot be empty"),
              new Violation("destinations", "must have at least one element"));
    }
  }
}
