package io.meshlite.kumactl;

import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.kumactl.client.ApiClient;
import java.util.List;

/** Resolves the TYPE word of a command line and builds REST paths for a type. */
final class Types {
  private Types() {}

  /**
   * What the user typed.
   *
   * @param type the resource type
   * @param plural true when the word was the plural (a list), false for the singular or type name
   */
  record Resolved(ResourceType type, boolean plural) {}

  static Resolved resolve(String word, String command) {
    ResourceType t =
        ResourceTypes.byCliName(word)
            .orElseThrow(
                () ->
                    new CliException(
                        "unknown TYPE \"" + word + "\" (run \"kumactl " + command
                            + " --help\" for the list of types)"));
    return new Resolved(t, t.plural().equals(word.toLowerCase(java.util.Locale.ROOT)));
  }

  /** The list path: {@code /meshes/{mesh}/{plural}} or {@code /{plural}}. */
  static String listPath(ResourceType t, String mesh) {
    return t.meshScoped() ? "/meshes/" + ApiClient.segment(mesh) + "/" + t.plural() : "/" + t.plural();
  }

  /** The path of one resource. */
  static String itemPath(ResourceType t, String mesh, String name) {
    return listPath(t, mesh) + "/" + ApiClient.segment(name);
  }

  /** Help text listing every type as {@code plural} and {@code singular NAME}. */
  static String helpList() {
    StringBuilder sb = new StringBuilder("%nTypes:%n");
    List<ResourceType> all = ResourceTypes.all();
    int w = all.stream().mapToInt(t -> t.plural().length()).max().orElse(10);
    for (ResourceType t : all) {
      sb.append("  ").append(t.plural()).append(" ".repeat(w - t.plural().length() + 3)).append(t.singular()).append(" NAME%n");
    }
    return sb.toString();
  }
}
