package io.meshlite.kumactl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.mesh.Specs;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.kumactl.client.ApiClient;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.output.Printers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kumactl apply -f FILE|DIR|URL|-}: reads one or more YAML documents, substitutes {@code -v}
 * variables, validates every document locally and only then PUTs each resource. A single invalid
 * document means nothing is sent.
 */
@Command(
    name = "apply",
    description = "Create or modify Kuma resources.",
    footer = {
      "%nExamples:",
      "  kumactl apply -f resource.yaml",
      "  echo \"type: Mesh%nname: demo\" | kumactl apply -f -",
      "  kumactl apply -f dataplane.yaml -v address=10.0.0.1",
      "  kumactl apply -f resources/"
    })
final class ApplyCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "path to a file or directory to apply (.yaml, .yml, .json), an http(s) URL, or - for stdin")
  String file;

  @Option(
      names = {"-v", "--var"},
      paramLabel = "KEY=VALUE",
      split = ",(?=[^,=]+=)",
      description = "variable to replace in the input, written {{ KEY }} there; repeatable")
  Map<String, String> vars = new LinkedHashMap<>();

  @Option(
      names = "--dry-run",
      description = "validate, resolve variables and print the result without applying it")
  boolean dryRun;

  private final RootCommand root;

  ApplyCommand(RootCommand root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    String text = read();
    if (text.isBlank()) {
      throw new CliException("no resource(s) passed to apply");
    }
    text = Templates.render(text, vars);
    List<Resource> resources = parseAll(text);
    if (dryRun) {
      List<String> docs = new ArrayList<>();
      for (Resource r : resources) {
        docs.add(Printers.yaml(body(r)));
      }
      root.out.print(String.join("---\n", docs));
      return 0;
    }
    ApiClient api = root.api();
    int applied = 0;
    for (Resource r : resources) {
      ApiResponse resp = api.put(Types.itemPath(r.type(), r.mesh(), r.name()), Printers.json(body(r)));
      String id = "resource type=\"" + r.type().name() + "\" mesh=\"" + r.mesh() + "\" name=\"" + r.name() + "\"";
      if (!resp.ok()) {
        String before = applied == 0 ? "" : " (the " + applied + " resource(s) before it were applied)";
        throw new CliException(id + ": failed server side: " + resp.describeError() + before);
      }
      applied++;
      root.out.println(id + " " + (resp.status() == 201 ? "Created" : "Updated"));
      for (JsonNode w : resp.json().path("warnings")) {
        root.err.println("Warning: " + w.asText());
      }
    }
    return 0;
  }

  /** The REST body of a resource: envelope and spec, without store-owned times. */
  static ObjectNode body(Resource r) {
    ObjectNode n = ResourceCodec.toJson(r);
    if (r.meta().creationTime().equals(Instant.EPOCH)) {
      n.remove("creationTime");
    }
    if (r.meta().modificationTime().equals(Instant.EPOCH)) {
      n.remove("modificationTime");
    }
    return n;
  }

  /**
   * Parses and validates every document; throws one {@link CliException} listing every problem
   * (document number, resource and field) when any document is invalid.
   */
  static List<Resource> parseAll(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
    } catch (IOException | RuntimeException e) {
      Throwable c = e.getCause() instanceof JsonProcessingException ? e.getCause() : e;
      throw new CliException(
          "document " + (docs.size() + 1) + ": " + yamlError(c) + " (nothing was applied)", e);
    }
    if (docs.isEmpty()) {
      throw new CliException("no resource(s) passed to apply");
    }
    List<Resource> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      String label = label(i + 1, doc);
      try {
        Resource r = ResourceCodec.parse(doc);
        if (r.type().readOnly()) {
          problems.add(label + ": type: " + r.type().name() + " is read-only and cannot be applied");
          continue;
        }
        Specs.validate(r);
        out.add(r);
      } catch (ValidationException e) {
        for (Violation v : e.violations()) {
          problems.add(label + ": " + v);
        }
      } catch (RuntimeException e) {
        problems.add(label + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new CliException(String.join("; ", problems) + " (nothing was applied)");
    }
    return out;
  }

  private static String label(int n, JsonNode doc) {
    String type = doc.path("type").isTextual() ? doc.path("type").asText() : "";
    String name = doc.path("name").isTextual() ? doc.path("name").asText() : "";
    if (type.isEmpty() || name.isEmpty()) {
      return "document " + n;
    }
    return "document " + n + " (" + type + " \"" + name + "\")";
  }

  private static String yamlError(Throwable t) {
    if (t instanceof JsonProcessingException jpe) {
      String msg = jpe.getOriginalMessage() == null ? "" : jpe.getOriginalMessage();
      String first = msg.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(msg);
      if (jpe.getLocation() != null && jpe.getLocation().getLineNr() > 0) {
        return "invalid YAML at line " + jpe.getLocation().getLineNr() + ", column "
            + jpe.getLocation().getColumnNr() + ": " + first;
      }
      return "invalid YAML: " + first;
    }
    return "invalid YAML: " + t.getMessage();
  }

  private String read() {
    if (file.equals("-")) {
      try {
        return new String(root.env.stdin().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliException("could not read standard input: " + e.getMessage(), e);
      }
    }
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return readUrl();
    }
    Path p = Path.of(file);
    try {
      if (Files.isDirectory(p)) {
        List<Path> files;
        try (Stream<Path> s = Files.list(p)) {
          files =
              s.filter(Files::isRegularFile)
                  .filter(f -> {
                    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                  })
                  .sorted()
                  .toList();
        }
        List<String> parts = new ArrayList<>();
        for (Path f : files) {
          parts.add(Files.readString(f, StandardCharsets.UTF_8));
        }
        return String.join("\n---\n", parts);
      }
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException("cannot read \"" + file + "\": no such file or directory", e);
    } catch (IOException e) {
      throw new CliException("cannot read \"" + file + "\": " + e.getMessage(), e);
    }
  }

  private String readUrl() {
    int slash = file.indexOf('/', file.indexOf("//") + 2);
    String base = slash < 0 ? file : file.substring(0, slash);
    String path = slash < 0 ? "" : file.substring(slash);
    try (ApiClient c = root.client(base, Map.of())) {
      ApiResponse r = c.get(path);
      if (!r.ok()) {
        throw new CliException("error while retrieving " + file + ": HTTP " + r.status());
      }
      return r.body();
    }
  }
}
