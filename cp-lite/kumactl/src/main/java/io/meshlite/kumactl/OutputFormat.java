package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.kumactl.output.Printers;
import java.util.Locale;

/** The {@code -o/--output} values Kuma accepts. */
enum OutputFormat {
  TABLE,
  YAML,
  JSON;

  static OutputFormat parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "table" -> TABLE;
      case "yaml" -> YAML;
      case "json" -> JSON;
      default ->
          throw new CliException(
              "unknown output format \"" + value + "\" (expected: table, yaml or json)");
    };
  }

  /** Renders a body for the YAML or JSON format. */
  String render(JsonNode body) {
    return this == JSON ? Printers.json(body) : Printers.yaml(body);
  }
}
