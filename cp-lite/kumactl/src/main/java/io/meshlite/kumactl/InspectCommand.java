package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.kumactl.client.ApiClient;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.output.InspectTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kumactl inspect dataplanes|meshes}. They read Kuma's insight endpoints ({@code
 * /meshes/{mesh}/dataplanes+insights}, {@code /mesh-insights}); when the control plane does not
 * serve them they fall back to the plain lists, show what is unknown as such and say so on stderr.
 */
final class InspectCommand {
  /** Statuses meaning "this endpoint is not served here". */
  private static final Set<Integer> NOT_SERVED = Set.of(404, 405, 501);

  private InspectCommand() {}

  /** {@code kumactl inspect dataplanes}. */
  @Command(name = "dataplanes", description = "Inspect Dataplanes.")
  static final class Dataplanes implements Callable<Integer> {
    @Option(names = {"-m", "--mesh"}, paramLabel = "MESH", description = "mesh to use (default \"default\")")
    String mesh = "default";

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "output format: one of table|yaml|json (default \"table\")")
    String output = "table";

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "filter by tag in format of key=value; repeatable")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--gateway", description = "filter gateway dataplanes")
    boolean gateway;

    private final RootCommand root;

    Dataplanes(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      OutputFormat format = OutputFormat.parse(output);
      ApiClient api = root.api();
      Map<String, List<String>> q = ApiClient.query();
      if (!tags.isEmpty()) {
        List<String> tq = new ArrayList<>();
        tags.forEach((k, v) -> tq.add(k + ":" + v));
        q.put("tag", tq);
      }
      if (gateway) {
        q.put("gateway", List.of("true"));
      }
      String path = "/meshes/" + ApiClient.segment(mesh) + "/dataplanes+insights";
      ApiResponse resp = api.get(path, q);
      JsonNode body;
      boolean known = true;
      if (NOT_SERVED.contains(resp.status())) {
        ApiResponse plain = api.get(Types.listPath(ResourceTypes.DATAPLANE, mesh));
        if (!plain.ok()) {
          throw new CliException("failed to list Dataplane: " + plain.describeError());
        }
        body = overviewsFrom(plain.json());
        known = false;
        root.err.println(
            "Note: the control plane does not serve " + path + " (HTTP " + resp.status()
                + "); dataplanes are listed without insights, their status is unknown");
      } else if (!resp.ok()) {
        throw new CliException("failed to list DataplaneOverview: " + resp.describeError());
      } else {
        body = resp.json();
      }
      if (!body.path("items").isArray()) {
        throw new CliException("the control plane answered " + path + " with something that is not a list");
      }
      if (format == OutputFormat.TABLE) {
        List<JsonNode> items = new ArrayList<>();
        body.path("items").forEach(items::add);
        InspectTables.dataplanes(items, root.now(), root.zone(), known).print(root.out);
      } else {
        root.out.print(format.render(body));
      }
      return 0;
    }

    /** Wraps plain Dataplanes as overviews without insight, applying the filters client-side. */
    private ObjectNode overviewsFrom(JsonNode list) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      ArrayNode items = JsonNodeFactory.instance.arrayNode();
      for (JsonNode dp : list.path("items")) {
        if (!matches(dp)) {
          continue;
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "DataplaneOverview");
        o.put("mesh", dp.path("mesh").asText());
        o.put("name", dp.path("name").asText());
        copy(dp, o, "creationTime");
        copy(dp, o, "modificationTime");
        copy(dp, o, "labels");
        ObjectNode spec = o.putObject("dataplane");
        copy(dp, spec, "networking");
        copy(dp, spec, "metrics");
        copy(dp, spec, "probes");
        o.putObject("dataplaneInsight");
        items.add(o);
      }
      out.put("total", items.size());
      out.set("items", items);
      out.putNull("next");
      return out;
    }

    private boolean matches(JsonNode dp) {
      JsonNode net = dp.path("networking");
      if (gateway && !net.path("gateway").isObject()) {
        return false;
      }
      for (Map.Entry<String, String> want : tags.entrySet()) {
        boolean found = false;
        List<JsonNode> tagSets = new ArrayList<>();
        net.path("inbound").forEach(in -> tagSets.add(in.path("tags")));
        tagSets.add(net.path("gateway").path("tags"));
        for (JsonNode ts : tagSets) {
          if (ts.path(want.getKey()).asText("").contains(want.getValue())) {
            found = true;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
      if (from.has(field)) {
        to.set(field, from.get(field));
      }
    }
  }

  /** {@code kumactl inspect meshes}. */
  @Command(name = "meshes", description = "Inspect Meshes.")
  static final class Meshes implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "output format: one of table|yaml|json (default \"table\")")
    String output = "table";

    private final RootCommand root;

    Meshes(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      OutputFormat format = OutputFormat.parse(output);
      ApiClient api = root.api();
      ApiResponse resp = api.get("/mesh-insights");
      JsonNode body;
      boolean known = true;
      if (NOT_SERVED.contains(resp.status())) {
        body = countedFromLists(api);
        known = false;
        root.err.println(
            "Note: the control plane does not serve /mesh-insights (HTTP " + resp.status()
                + "); counts come from the resource lists, online dataplanes are unknown");
      } else if (!resp.ok()) {
        throw new CliException("failed to list MeshInsight: " + resp.describeError());
      } else {
        body = resp.json();
      }
      if (format == OutputFormat.TABLE) {
        List<JsonNode> items = new ArrayList<>();
        body.path("items").forEach(items::add);
        InspectTables.meshes(items, known).print(root.out);
      } else {
        root.out.print(format.render(body));
      }
      return 0;
    }

    /** Builds MeshInsight-shaped items from list totals (one small request per mesh and type). */
    private static ObjectNode countedFromLists(ApiClient api) {
      ApiResponse meshes = api.get("/meshes");
      if (!meshes.ok()) {
        throw new CliException("failed to list Mesh: " + meshes.describeError());
      }
      ArrayNode items = JsonNodeFactory.instance.arrayNode();
      for (JsonNode m : meshes.json().path("items")) {
        String name = m.path("name").asText();
        ObjectNode ins = JsonNodeFactory.instance.objectNode();
        ins.put("type", "MeshInsight");
        ins.put("name", name);
        ins.putObject("dataplanes").put("total", total(api, ResourceTypes.DATAPLANE, name));
        ObjectNode policies = ins.putObject("policies");
        for (List<String> col : InspectTables.MESH_POLICY_COLUMNS) {
          ResourceTypes.byName(col.get(0))
              .ifPresent(t -> policies.putObject(t.name()).put("total", total(api, t, name)));
        }
        items.add(ins);
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("total", items.size());
      out.set("items", items);
      out.putNull("next");
      return out;
    }

    private static long total(ApiClient api, ResourceType t, String mesh) {
      Map<String, List<String>> q = ApiClient.query();
      q.put("size", List.of("1"));
      ApiResponse r = api.get(Types.listPath(t, mesh), q);
      return r.ok() ? r.json().path("total").asLong(0) : 0;
    }
  }
}
