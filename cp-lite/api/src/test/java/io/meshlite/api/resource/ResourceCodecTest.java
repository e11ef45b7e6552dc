package io.meshlite.api.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceCodecTest {

  @Test
  void parsesSeveralDocumentsAndKeepsInlineSpecFields() {
    List<Resource> rs =
        ResourceCodec.parseDocuments(
            """
            type: Mesh
            name: demo
            mtls:
              enabledBackend: ca-1
              backends: [{name: ca-1, type: builtin}]
            ---
            type: Dataplane
            mesh: demo
            name: web-1
            labels: {team: a}
            networking:
              address: 10.0.0.1
              inbound: [{port: 80, tags: {kuma.io/service: web}}]
            ---
            """);
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).type()).isEqualTo(ResourceTypes.MESH_TYPE);
    assertThat(rs.get(0).mesh()).isEmpty();
    assertThat(rs.get(0).spec().at("/mtls/enabledBackend").asText()).isEqualTo("ca-1");
    Resource dp = rs.get(1);
    assertThat(dp.key()).isEqualTo(new ResourceKey("Dataplane", "demo", "web-1"));
    assertThat(dp.meta().labels()).containsEntry("team", "a");
    assertThat(dp.spec().has("type")).isFalse();
    assertThat(dp.spec().at("/networking/address").asText()).isEqualTo("10.0.0.1");
  }

  @Test
  void policyTypesKeepTheirSpecUnderSpec() {
    Resource r =
        ResourceCodec.parse(
            """
            type: MeshTrafficPermission
            mesh: default
            name: allow-all
            spec:
              targetRef: {kind: Mesh}
              from: [{targetRef: {kind: Mesh}, default: {action: Allow}}]
            """);
    assertThat(r.spec().at("/targetRef/kind").asText()).isEqualTo("Mesh");
    assertThat(ResourceCodec.toJson(r).at("/spec/from/0/default/action").asText())
        .isEqualTo("Allow");
  }

  @Test
  void rendersRestShapeWithMetadataFirst() {
    Resource r =
        ResourceCodec.parse("{\"type\":\"Dataplane\",\"mesh\":\"m\",\"name\":\"d\",\"networking\":{}}");
    var json = ResourceCodec.toJson(r);
    assertThat(json.properties().stream().map(java.util.Map.Entry::getKey).toList())
        .containsExactly("type", "mesh", "name", "creationTime", "modificationTime", "networking");
  }

  @Test
  void reportsEveryEnvelopeProblemWithItsField() {
    assertThatThrownBy(
            () -> ResourceCodec.parse("type: Nope\nname: 'bad name'\nlabels: {k: [1]}\n"))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.violations())
                    .extracting(Violation::field)
                    .containsExactly("type", "name", "labels[\"k\"]"));
  }

  @Test
  void meshScopedTypesNeedAMesh() {
    assertThatThrownBy(() -> ResourceCodec.parse("type: Dataplane\nname: x\n"))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("mesh"));
  }

  @Test
  void malformedYamlIsAValidationErrorWithALine() {
    assertThatThrownBy(() -> ResourceCodec.parseDocuments("type: Mesh\nname: [unclosed\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("line");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThatThrownBy(() -> ResourceCodec.parse("type: Mesh\nname: a\nname: b\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("name");
  }

  @Test
  void problemsInLaterDocumentsNameTheDocument() {
    assertThatThrownBy(
            () -> ResourceCodec.parseDocuments("type: Mesh\nname: ok\n---\ntype: Mesh\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("document 2");
  }

  @Test
  void emptyInputIsAnError() {
    assertThatThrownBy(() -> ResourceCodec.parseDocuments("---\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no resource");
  }

  @Test
  void cliNamesResolvePluralsSingularsAndTypeNames() {
    assertThat(ResourceTypes.byCliName("dataplanes")).contains(ResourceTypes.DATAPLANE);
    assertThat(ResourceTypes.byCliName("dataplane")).contains(ResourceTypes.DATAPLANE);
    assertThat(ResourceTypes.byCliName("meshes")).contains(ResourceTypes.MESH_TYPE);
    assertThat(ResourceTypes.byCliName("MeshTrafficPermission"))
        .contains(ResourceTypes.MESH_TRAFFIC_PERMISSION);
    assertThat(ResourceTypes.byCliName("traffic-permission"))
        .contains(ResourceTypes.TRAFFIC_PERMISSION);
    assertThat(ResourceTypes.byCliName("nothing")).isEmpty();
  }

  @Test
  void registryHasUniqueNamesAndPaths() {
    var all = ResourceTypes.all();
    assertThat(all).extracting(ResourceType::name).doesNotHaveDuplicates();
    assertThat(all).extracting(ResourceType::plural).doesNotHaveDuplicates();
    assertThat(all).extracting(ResourceType::singular).doesNotHaveDuplicates();
  }

  @Test
  void yamlKeepsNumericLookingStringsAsStrings() {
    Resource r =
        ResourceCodec.parse(
            "type: Dataplane\nmesh: m\nname: d\nnetworking:\n  address: 10.0.0.1\n"
                + "  inbound: [{port: 80, tags: {kuma.io/service: a, version: '8080'}}]\n");
    Resource back = ResourceCodec.parse(ResourceCodec.toYaml(r));
    assertThat(back.spec().at("/networking/inbound/0/tags/version").isTextual()).isTrue();
    assertThat(back.spec().at("/networking/inbound/0/port").isInt()).isTrue();
  }
}
