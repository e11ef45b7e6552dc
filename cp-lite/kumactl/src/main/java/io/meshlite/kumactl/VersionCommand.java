package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.Versions;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.client.ApiUnreachableException;
import io.meshlite.kumactl.output.Printers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kumactl version}: the client's version and the server's answer to {@code GET /}. As in
 * Kuma, an unreachable server is reported on stderr without failing the command.
 */
@Command(name = "version", description = "Print version.")
final class VersionCommand implements Callable<Integer> {

  @Option(names = {"-a", "--detailed"}, description = "print detailed version")
  boolean detailed;

  private final RootCommand root;

  VersionCommand(RootCommand root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    if (detailed) {
      root.out.println(
          "Product:       Kuma\nVersion:       " + Versions.VERSION + "\nBased on Kuma: " + Versions.KUMA_COMPAT
              + "\nEnvoy:         " + Versions.ENVOY);
    } else {
      root.out.println("Client: Kuma " + Versions.VERSION);
    }
    try {
      ApiResponse r = root.api().get("/");
      JsonNode n = r.json();
      if (!r.ok() || !n.isObject()) {
        root.err.println("Unable to connect to control plane: " + r.describeError());
        return 0;
      }
      if (detailed) {
        root.out.print("Server: " + Printers.json(n));
      } else {
        String product = n.path("tagline").asText(n.path("product").asText("Kuma"));
        root.out.println("Server: " + product + " " + n.path("version").asText("unknown"));
      }
    } catch (ApiUnreachableException | CliException e) {
      root.err.println("Unable to connect to control plane: " + e.getMessage());
    }
    return 0;
  }
}
