package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kuma-init container that kuma-cp's sidecar injector adds runs {@code kumactl install
 * transparent-proxy} with the arguments in the injector's golden files (kuma-cp's test resources);
 * this command line must accept every one of them and redirect to the ports they name.
 */
class InjectedInitContainerArgsTest {
  private static final Path GOLDEN = Path.of("..", "server", "src", "test", "resources", "golden", "k8s", "injector");

  @TempDir Path home;

  @Test
  void everyInjectedArgumentListIsAcceptedByInstallTransparentProxy() throws IOException {
    List<List<String>> argLists = new ArrayList<>();
    try (Stream<Path> files = Files.list(GOLDEN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".golden.yaml")).sorted().toList()) {
        JsonNode response = Json.yaml().readTree(Files.readString(f));
        for (JsonNode op : response.path("patch")) {
          for (JsonNode c : op.path("value").isArray() ? op.path("value") : List.of(op.path("value"))) {
            if ("kuma-init".equals(c.path("name").asText())) {
              assertThat(c.path("command").toString()).isEqualTo("[\"/usr/bin/kumactl\",\"install\",\"transparent-proxy\"]");
              List<String> args = new ArrayList<>();
              c.path("args").forEach(a -> args.add(a.asText()));
              argLists.add(args);
            }
          }
        }
      }
    }
    assertThat(argLists).as("kuma-init containers in %s", GOLDEN).hasSizeGreaterThanOrEqualTo(3);

    for (List<String> args : argLists) {
      List<String> line = new ArrayList<>(List.of("install", "transparent-proxy", "--dry-run"));
      line.addAll(args);
      Cli.Result r = new Cli(home).run(line.toArray(String[]::new));

      assertThat(r.code()).as("kumactl %s: %s", line, r.err()).isZero();
      String inbound = args.get(args.indexOf("--redirect-inbound-port") + 1);
      String outbound = args.get(args.indexOf("--redirect-outbound-port") + 1);
      assertThat(r.out()).contains("--to-ports " + inbound).contains("--to-ports " + outbound);
    }
  }
}
