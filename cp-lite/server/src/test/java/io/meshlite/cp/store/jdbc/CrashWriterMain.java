package io.meshlite.cp.store.jdbc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The victim of {@link CrashIT}: writes as fast as it can and prints one line per acknowledged
 * write ({@code ACK create <name>} / {@code ACK update counter <version>}), until it is killed or
 * reaches its bound.
 *
 * <p>Usage: {@code sqlite <file>} or {@code postgres <port> <database>}.
 */
public final class CrashWriterMain {
  private static final int MAX_WRITES = 200_000;
  private static final Duration MAX_TIME = Duration.ofMinutes(2);

  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    StoreSettings settings =
        switch (args[0]) {
          case "sqlite" -> new StoreSettings.Sqlite(Path.of(args[1]));
          case "postgres" ->
              StoreSettings.Postgres.builder()
                  .host("127.0.0.1")
                  .port(Integer.parseInt(args[1]))
                  .user("postgres")
                  .password("unused")
                  .dbName(args[2])
                  .maxOpenConnections(4)
                  .build();
          default -> throw new IllegalArgumentException("sqlite FILE | postgres PORT DB");
        };
    // Flushed per line: every write the store acknowledged is reported before the next one starts.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + MAX_TIME.toNanos();
    try (ResourceStore store = StoreFactory.open(settings, Clock.systemUTC())) {
      store.create(resource(ResourceTypes.MESH_TYPE, "", "crash", 0));
      Resource counter = store.create(resource(ResourceTypes.DATAPLANE, "crash", "counter", 0));
      out.println("READY");
      out.flush();
      for (int i = 0; i < MAX_WRITES && System.nanoTime() < deadline; i++) {
        store.create(resource(ResourceTypes.DATAPLANE, "crash", "dp-" + i, i));
        out.println("ACK create dp-" + i);
        if (i % 3 == 0) {
          counter = store.update(counter.withSpec(spec(i)));
          out.println("ACK update counter " + counter.meta().version());
        }
        out.flush();
      }
    }
    out.println("DONE");
    out.flush();
  }

  private static Resource resource(ResourceType type, String mesh, String name, int i) {
    return new Resource(
        type, mesh, name, ResourceMeta.draft(Map.of("i", Integer.toString(i))), spec(i));
  }

  private static ObjectNode spec(int i) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.putObject("networking")
        .put("address", "10.0." + (i / 250 % 250) + "." + (i % 250))
        .put("seq", i);
    return n;
  }
}
