package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a kuma-cp in the middle of a stream of writes: every write it acknowledged is there
 * after a restart and the database is consistent.
 */
class CrashIT {
  @RegisterExtension static final PostgresFixture pg = new PostgresFixture();

  private static final int ACKS_BEFORE_KILL = 300;
  private static final Pattern ACK = Pattern.compile("ACK (?:create dp-(\\d+)|update counter (\\d+))");

  @TempDir Path dir;

  @Test
  void everyAcknowledgedSqliteWriteSurvivesKill9() throws Exception {
    Path file = dir.resolve("kuma.db");
    List<String> acks = runAndKill("sqlite", file.toString());

    try (ResourceStore store =
        StoreFactory.open(new StoreSettings.Sqlite(file), Clock.systemUTC())) {
      assertAcknowledgedWritesPresent(store, acks);
      store.create(dataplane("after-crash")); // still writable
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("ok");
      }
      try (ResultSet rs = s.executeQuery("PRAGMA foreign_key_check")) {
        assertThat(rs.next()).as("foreign key violations").isFalse();
      }
    }
  }

  @Test
  void everyAcknowledgedPostgresWriteSurvivesKill9() throws Exception {
    String db = pg.createDatabase();
    StoreSettings.Postgres settings = pg.settings(db).build();
    StoreFactory.migrate(settings);

    List<String> acks = runAndKill("postgres", Integer.toString(pg.port()), db);

    try (ResourceStore store = StoreFactory.open(settings, Clock.systemUTC())) {
      assertAcknowledgedWritesPresent(store, acks);
      store.create(dataplane("after-crash"));
    }
    try (Connection c = pg.admin(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM resources WHERE mesh = 'crash' AND (owner_name IS DISTINCT"
                    + " FROM 'crash' OR owner_type IS DISTINCT FROM 'Mesh')")) {
      rs.next();
      assertThat(rs.getInt(1)).as("rows without their owner").isZero();
    }
  }

  private static void assertAcknowledgedWritesPresent(ResourceStore store, List<String> acks) {
    int lastCreated = -1;
    long lastCounter = 1;
    for (String ack : acks) {
      Matcher m = ACK.matcher(ack);
      if (!m.find()) {
        continue;
      }
      if (m.group(1) != null) {
        lastCreated = Math.max(lastCreated, Integer.parseInt(m.group(1)));
      } else {
        lastCounter = Math.max(lastCounter, Long.parseLong(m.group(2)));
      }
    }
    assertThat(lastCreated).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL / 2);
    List<Resource> stored = store.list(ResourceTypes.DATAPLANE, "crash");
    List<String> names = stored.stream().map(Resource::name).toList();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i <= lastCreated; i++) {
      if (!names.contains("dp-" + i)) {
        missing.add("dp-" + i);
      }
    }
    assertThat(missing).as("acknowledged but lost").isEmpty();
    for (Resource r : stored) {
      if (r.name().startsWith("dp-")) {
        int i = Integer.parseInt(r.name().substring(3));
        assertThat(r.spec().path("networking").path("seq").asInt()).isEqualTo(i);
        assertThat(r.meta().labels()).containsEntry("i", Integer.toString(i));
        assertThat(r.meta().version()).isEqualTo(1);
      }
    }
    // At most the one write in flight at the kill may be there without its acknowledgement.
    assertThat(stored.size())
        .as("rows stored, given the writer's output %s", acks.subList(Math.max(0, acks.size() - 4), acks.size()))
        .isBetween(lastCreated + 2, lastCreated + 3); // + counter (+ in flight)
    Resource counter =
        store.get(ResourceKey.of(ResourceTypes.DATAPLANE, "crash", "counter")).orElseThrow();
    assertThat(counter.meta().version()).isBetween(lastCounter, lastCounter + 1);
  }

  /** Runs {@link CrashWriterMain}, SIGKILLs it mid-stream, returns every ACK line it printed. */
  private static List<String> runAndKill(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashWriterMain.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        Thread.ofPlatform()
            .name("crash-writer-stdout")
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      lines.add(line);
                    }
                  } catch (IOException e) {
                    // the pipe closes when the process dies
                  }
                });
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new AssertionError("the writer exited early: " + lines);
                }
                return lines.stream().filter(l -> ACK.matcher(l).find()).count() >= ACKS_BEFORE_KILL;
              });
    } finally {
      p.destroyForcibly(); // SIGKILL
      p.waitFor(30, TimeUnit.SECONDS);
      reader.join(Duration.ofSeconds(30));
    }
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(lines).doesNotContain("DONE");
    // Everything the writer printed: an ACK may share a line with other output (found anywhere in it).
    return List.copyOf(lines);
  }

  private static Resource dataplane(String name) {
    return new Resource(
        ResourceTypes.DATAPLANE,
        "crash",
        name,
        ResourceMeta.draft(Map.of()),
        JsonNodeFactory.instance.objectNode());
  }
}
