package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.testing.EnvoyBinaries;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kuma-dp's runtime classpath, the one scripts/build.sh copies to dist/lib/kuma-dp, holds no Jackson, and
 * the agent's whole start-up path works on it: the training run (a templated {@code --dataplane}, the
 * TLS bootstrap request and its JSON answer, the real Envoy, readiness, the DNS stub, a clean stop) in a
 * JVM of its own with exactly the jars the dist ships. A class of the agent that reached for Jackson
 * would end this run with a NoClassDefFoundError.
 */
class RuntimeClasspathIT {
  @Test
  void theAgentStartsAndStopsOnTheJarsTheDistShips(@TempDir Path tmp) throws Exception {
    Path target = Path.of("target");
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> s = Files.list(target)) {
      s.filter(p -> p.getFileName().toString().matches("kuma-dp-[^-]+(-SNAPSHOT)?\\.jar")).forEach(jars::add);
    }
    assertThat(jars).as("the packaged kuma-dp jar in target/").hasSize(1);
    try (Stream<Path> s = Files.list(target.resolve("lib"))) {
      s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
    }
    assertThat(jars).extracting(p -> p.getFileName().toString())
        .anyMatch(n -> n.startsWith("snakeyaml-"))
        .noneMatch(n -> n.startsWith("jackson-"));

    Path classLog = tmp.resolve("classes.log");
    Path out = tmp.resolve("out.log");
    String cp = String.join(File.pathSeparator, jars.stream().map(Path::toString).toList());
    Process p = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xlog:class+load=info:file=" + classLog, "-cp", cp, AgentMain.class.getName(),
            "aot-train", "--binary-path", EnvoyBinaries.require().toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean ended = p.waitFor(90, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(ended).as(output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).doesNotContain("NoClassDefFoundError");
    String classes = Files.readString(classLog, StandardCharsets.UTF_8);
    assertThat(classes)
        .contains("io.meshlite.agent.config.DataplaneResource")
        .contains("io.meshlite.api.bootstrap.BootstrapJson")
        .contains("io.meshlite.agent.support.YamlValues")
        .doesNotContain("com.fasterxml.jackson");
  }
}
