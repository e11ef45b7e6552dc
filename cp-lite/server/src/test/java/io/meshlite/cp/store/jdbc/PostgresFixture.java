package io.meshlite.cp.store.jdbc;

import io.meshlite.api.testing.Ports;
import io.meshlite.cp.store.StoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL server of its own for one test class, the same way scripts/postgres.sh starts one:
 * initdb (trust auth, C locale) in a temp folder, as user postgres when running as root, listening
 * on 127.0.0.1 and a free port; stopped and deleted after the class.
 *
 * <pre>{@code @RegisterExtension static final PostgresFixture pg = new PostgresFixture();}</pre>
 */
public final class PostgresFixture implements BeforeAllCallback, AfterAllCallback {
  /** The server binaries were not found: a failure, not a skip. */
  static final String MISSING =
      "PostgreSQL server binaries not found: run scripts/postgres.sh install (root), install the"
          + " 'postgresql' package, or set PG_BIN to the folder holding initdb and pg_ctl";

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** Called after initdb, before the first start: edit postgresql.conf, pg_hba.conf, add files. */
  @FunctionalInterface
  public interface Setup {
    void configure(PostgresFixture pg) throws Exception;
  }

  private final Setup setup;
  private Path bin;
  private Path root;
  private Path data;
  private int port;
  private boolean running;

  public PostgresFixture() {
    this(pg -> {});
  }

  public PostgresFixture(Setup setup) {
    this.setup = setup;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    bin = findBinaries();
    root = Files.createTempDirectory("mlpg-");
    // The server user must be able to reach its data folder under our temp folder.
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    data = root.resolve("data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    giveToServerUser(data);
    port = Ports.free();
    run(
        Duration.ofMinutes(2),
        asOwner(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "-N"));
    appendConf(
        "listen_addresses = '127.0.0.1'",
        "port = " + port,
        "unix_socket_directories = '" + data + "'",
        "max_connections = 200",
        "fsync = off", // test data only; durability of the server is not what is tested
        "log_min_messages = warning");
    setup.configure(this);
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (running) {
        stop();
      }
    } finally {
      if (root != null) {
        try (Stream<Path> s = Files.walk(root)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** Starts the server (again) on the same port and data. */
  public void start() throws IOException {
    run(
        Duration.ofMinutes(1),
        asOwner(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            data.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "start"));
    running = true;
  }

  /** Stops the server ("fast": open connections are terminated). */
  public void stop() throws IOException {
    run(
        Duration.ofMinutes(1),
        asOwner(
            bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"));
    running = false;
  }

  /** Re-reads postgresql.conf / pg_hba.conf and certificates (SIGHUP). */
  public void reload() throws IOException {
    run(
        Duration.ofSeconds(30),
        asOwner(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "reload"));
  }

  public int port() {
    return port;
  }

  /** The data folder (owned by the server user). */
  public Path dataDir() {
    return data;
  }

  /** A folder of ours next to the data folder, readable by the server user. */
  public Path workDir() {
    return root;
  }

  /** Appends lines to postgresql.conf. */
  public void appendConf(String... lines) throws IOException {
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\n" + String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  /** Replaces pg_hba.conf. */
  public void writeHba(String... lines) throws IOException {
    Path hba = data.resolve("pg_hba.conf");
    Files.writeString(hba, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    giveToServerUser(hba);
  }

  /** Writes a file into the data folder, owned by the server user with mode 0600. */
  public Path writePrivateFile(String name, byte[] content) throws IOException {
    Path f = data.resolve(name);
    Files.write(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    giveToServerUser(f);
    return f;
  }

  /** A fresh, empty database on this server. */
  public String createDatabase() throws SQLException {
    String name = "t" + DATABASES.incrementAndGet();
    try (Connection c = admin("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  /** A superuser connection to one database (trust auth over TCP). */
  public Connection admin(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", "unused");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
  }

  /** Store settings for a database on this server: quick timeouts and reconnects for tests. */
  public StoreSettings.Postgres.Builder settings(String database) {
    return StoreSettings.Postgres.builder()
        .host("127.0.0.1")
        .port(port)
        .user("postgres")
        .password("unused")
        .dbName(database)
        .connectionTimeout(Duration.ofSeconds(2))
        .maxOpenConnections(20)
        .minReconnectInterval(Duration.ofMillis(100))
        .maxReconnectInterval(Duration.ofMillis(500));
  }

  /** The tail of the server log, for failure messages. */
  public String logTail() {
    try (Stream<String> lines = Files.lines(data.resolve("server.log"))) {
      List<String> all = lines.toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no server log: " + e + ")";
    }
  }

  private void giveToServerUser(Path p) throws IOException {
    if (ROOT) {
      UserPrincipal postgres =
          p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(p, postgres);
    }
  }

  private static List<String> asOwner(String... cmd) {
    List<String> out = new ArrayList<>();
    if (ROOT) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(cmd));
    return out;
  }

  private void run(Duration timeout, List<String> cmd) throws IOException {
    Path log = Files.createTempFile(root, "cmd-", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + cmd, e);
    }
    if (!done) {
      p.destroyForcibly();
      throw new IOException(
          "timed out after " + timeout + ": " + cmd + "\n" + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "failed (exit "
              + p.exitValue()
              + "): "
              + cmd
              + "\n"
              + Files.readString(log)
              + "\n"
              + logTail());
    }
  }

  private static Path findBinaries() throws IOException, InterruptedException {
    Path found = lookForBinaries();
    if (found == null && ROOT) {
      Path script = repoRoot().resolve("scripts/postgres.sh");
      if (Files.isExecutable(script)) {
        Process p = new ProcessBuilder(script.toString(), "install").inheritIO().start();
        p.waitFor(10, TimeUnit.MINUTES);
        found = lookForBinaries();
      }
    }
    if (found == null) {
      throw new IllegalStateException(MISSING);
    }
    return found;
  }

  private static Path lookForBinaries() throws IOException {
    String env = System.getenv("PG_BIN");
    if (env != null && Files.isExecutable(Path.of(env, "pg_ctl"))) {
      return Path.of(env);
    }
    Path base = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(base)) {
      try (Stream<Path> versions = Files.list(base)) {
        Path best =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(Comparator.comparingInt(PostgresFixture::majorVersion))
                .orElse(null);
        if (best != null) {
          return best;
        }
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
        return Path.of(dir);
      }
    }
    return null;
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (Path d = p; d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("scripts/postgres.sh"))) {
        return d;
      }
    }
    return p;
  }
}
