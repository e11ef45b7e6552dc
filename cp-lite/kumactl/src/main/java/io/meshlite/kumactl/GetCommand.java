package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.kumactl.client.ApiClient;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.output.ResourceTables;
import io.meshlite.kumactl.output.Table;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kumactl get <plural>} lists resources (one page, with Kuma's "Rerun command with
 * --offset" footer when there are more) and {@code kumactl get <singular> NAME} shows one; as a
 * table, or the REST body as YAML or JSON.
 */
@Command(
    name = "get",
    description = "Show Kuma resources.",
    customSynopsis = {"kumactl get TYPE [NAME] [-m MESH] [-o table|yaml|json] [--size N] [--offset X]"},
    footer = {"%nTYPE is a plural to list resources, or a singular followed by NAME to show one."})
final class GetCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "e.g. meshes, dataplanes, dataplane")
  String typeWord;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "name of the resource to show")
  String name;

  @Option(names = {"-m", "--mesh"}, paramLabel = "MESH", description = "mesh to use (default \"default\")")
  String mesh = "default";

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "output format: one of table|yaml|json (default \"table\")")
  String output = "table";

  @Option(names = "--size", paramLabel = "N", description = "maximum number of elements to return")
  Integer size;

  @Option(names = "--offset", paramLabel = "OFFSET", description = "the offset that indicates starting element of the resources list to retrieve")
  String offset;

  @Spec CommandSpec spec;

  private final RootCommand root;

  GetCommand(RootCommand root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    if (typeWord == null) {
      spec.commandLine().usage(root.out);
      root.out.printf(Types.helpList());
      return 0;
    }
    OutputFormat format = OutputFormat.parse(output);
    Types.Resolved r = Types.resolve(typeWord, "get");
    if (r.plural()) {
      if (name != null) {
        throw new CliException(
            "\"kumactl get " + typeWord + "\" takes no NAME; to show one resource use \"kumactl get "
                + r.type().singular() + " " + name + "\"");
      }
      list(r.type(), format);
    } else {
      if (name == null) {
        throw new CliException(
            "\"kumactl get " + typeWord + "\" needs a NAME; to list them use \"kumactl get " + r.type().plural() + "\"");
      }
      one(r.type(), format);
    }
    return 0;
  }

  private void list(ResourceType type, OutputFormat format) {
    if (size != null && size <= 0) {
      throw new CliException("--size must be a positive number");
    }
    Map<String, List<String>> q = ApiClient.query();
    if (size != null) {
      q.put("size", List.of(Integer.toString(size)));
    }
    if (offset != null) {
      q.put("offset", List.of(offset));
    }
    ApiResponse resp = root.api().get(Types.listPath(type, mesh), q);
    if (!resp.ok()) {
      throw new CliException("failed to list " + type.name() + ": " + resp.describeError());
    }
    JsonNode body = resp.json();
    if (!body.isObject() || !body.path("items").isArray()) {
      throw new CliException(
          "failed to list " + type.name() + ": the control plane answered something that is not a list (HTTP "
              + resp.status() + ")");
    }
    if (format == OutputFormat.TABLE) {
      List<JsonNode> items = new ArrayList<>();
      body.path("items").forEach(items::add);
      Table t = ResourceTables.of(type, items, root.now());
      String next = nextOffset(body.path("next"));
      if (!next.isEmpty()) {
        t.footer("Rerun command with --offset=" + next + " argument to retrieve more resources");
      }
      t.print(root.out);
    } else {
      root.out.print(format.render(body));
    }
  }

  private void one(ResourceType type, OutputFormat format) {
    ApiResponse resp = root.api().get(Types.itemPath(type, mesh, name));
    if (resp.status() == 404) {
      throw new CliException(type.meshScoped() ? "No resources found in " + mesh + " mesh" : "No resources found");
    }
    if (!resp.ok()) {
      String where = type.meshScoped() ? " in mesh " + mesh : "";
      throw new CliException("failed to get " + name + where + ": " + resp.describeError());
    }
    JsonNode body = resp.json();
    if (format == OutputFormat.TABLE) {
      ResourceTables.of(type, List.of(body), root.now()).print(root.out);
    } else {
      root.out.print(format.render(body));
    }
  }

  /** The {@code offset} query parameter of a list's {@code next} URL, empty on the last page. */
  static String nextOffset(JsonNode next) {
    if (!next.isTextual() || next.asText().isEmpty()) {
      return "";
    }
    try {
      String query = URI.create(next.asText()).getRawQuery();
      if (query == null) {
        return "";
      }
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0 && kv.substring(0, eq).equals("offset")) {
          return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    } catch (IllegalArgumentException e) {
      return "";
    }
    return "";
  }
}
