package io.meshlite.kumactl;

import io.meshlite.api.resource.ResourceType;
import io.meshlite.kumactl.client.ApiResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kumactl delete TYPE NAME [-m MESH]}. */
@Command(
    name = "delete",
    description = "Delete Kuma resources.",
    customSynopsis = {"kumactl delete TYPE NAME [-m MESH]"})
final class DeleteCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "TYPE", description = "e.g. dataplane, mesh, meshtrafficpermission")
  String typeWord;

  @Parameters(index = "1", paramLabel = "NAME", description = "name of the resource to delete")
  String name;

  @Option(names = {"-m", "--mesh"}, paramLabel = "MESH", description = "mesh to use (default \"default\")")
  String mesh = "default";

  private final RootCommand root;

  DeleteCommand(RootCommand root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    ResourceType type = Types.resolve(typeWord, "delete").type();
    if (type.readOnly()) {
      throw new CliException("TYPE: " + typeWord + " is readOnly, can't use it for write action");
    }
    ApiResponse resp = root.api().delete(Types.itemPath(type, mesh, name));
    if (resp.status() == 404) {
      String where = type.meshScoped() ? " in mesh \"" + mesh + "\"" : "";
      throw new CliException("there is no " + type.name() + " with name \"" + name + "\"" + where);
    }
    if (!resp.ok()) {
      throw new CliException(
          "failed to delete " + type.name() + " with the name \"" + name + "\": " + resp.describeError());
    }
    root.out.println("deleted " + type.name() + " \"" + name + "\"");
    return 0;
  }
}
