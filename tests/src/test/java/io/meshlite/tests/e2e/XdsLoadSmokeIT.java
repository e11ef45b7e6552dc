package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.tests.bench.BenchOptions;
import io.meshlite.tests.bench.BenchReport;
import io.meshlite.tests.bench.BenchReport.ChangeResult;
import io.meshlite.tests.bench.CpTarget;
import io.meshlite.tests.bench.ReferenceServerCheck;
import io.meshlite.tests.bench.XdsLoadHarness;
import io.meshlite.tests.support.ControlPlane;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xDS load harness ({@code scripts/bench-xds.sh}) at a small N against a real kuma-cp, so the
 * harness cannot rot: 20 simulated Envoys across 5 services all get their full configuration, and
 * every change reaches exactly the streams it affects. No timing is asserted; the figures are
 * printed.
 */
class XdsLoadSmokeIT {
  @TempDir Path work;

  private ControlPlane cp;

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private static BenchOptions smoke() {
    return BenchOptions.defaults()
        .withSize(20, 5)
        .withRounds(1, Duration.ofMillis(200))
        .withConnections(2)
        .withWarmup(0);
  }

  /** Starts kuma-cp and runs the harness against it (without its /metrics figures). */
  private BenchReport run(BenchOptions options) throws InterruptedException {
    cp = ControlPlane.start(work, Map.of("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none"));
    URI dp = URI.create(cp.dpServerUrl());
    CpTarget target =
        new CpTarget(cp.apiUrl(), dp.getHost(), dp.getPort(), null, cp.process().process().pid(), "test JVM flags");
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    BenchReport report =
        new XdsLoadHarness(options, target, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
    report.print(System.out);
    System.out.print(progress.toString(StandardCharsets.UTF_8));
    return report;
  }

  @Test
  void everyStreamIsConfiguredAndEveryChangeReachesExactlyTheStreamsItAffects() throws Exception {
    BenchReport report = run(smoke());

    assertThat(report.first().failures()).as("failed streams").isEmpty();
    assertThat(report.first().converged()).as("streams with their full configuration").isEqualTo(20);
    assertThat(report.first().bytes()).isPositive();

    List<ChangeResult> changes = report.changes();
    assertThat(changes).extracting(ChangeResult::kind).containsExactlyElementsOf(XdsLoadHarness.CHANGES);
    for (ChangeResult c : changes) {
      assertThat(c.failures()).as(c.kind() + " failed streams").isEmpty();
      assertThat(c.converged()).as(c.kind() + ": " + c.description()).isEqualTo(c.affected());
      assertThat(c.pushesUnaffected()).as(c.kind() + ": pushes to streams it does not affect").isZero();
    }
    assertThat(change(changes, "endpoint-hub").affected()).as("every proxy calls the hub").isEqualTo(20);
    assertThat(change(changes, "endpoint-remove").affected()).isEqualTo(20);
    assertThat(change(changes, "endpoint-leaf").affected()).isBetween(1, 19);
    assertThat(change(changes, "new-service").affected()).isEqualTo(1);
    assertThat(change(changes, "outbound-add").affected()).isEqualTo(1);
  }

  @Test
  void withMtlsEveryStreamGetsItsSecretsAndAPermissionReachesExactlyTheHubInstances() throws Exception {
    BenchReport report = run(smoke().withMtls(true).withProtocol(false, List.of("endpoint-hub", "permission")));

    assertThat(report.first().failures()).as("failed streams").isEmpty();
    assertThat(report.first().converged()).as("streams with their full configuration and SDS secrets").isEqualTo(20);
    List<ChangeResult> changes = report.changes();
    assertThat(changes).extracting(ChangeResult::kind).containsExactly("endpoint-hub", "permission");
    for (ChangeResult c : changes) {
      assertThat(c.failures()).as(c.kind() + " failed streams").isEmpty();
      assertThat(c.converged()).as(c.kind() + ": " + c.description()).isEqualTo(c.affected());
      assertThat(c.pushesUnaffected()).as(c.kind() + ": pushes to streams it does not affect").isZero();
    }
    // 20 Dataplanes over 5 services: 4 hub instances (the one endpoint-hub added has no proxy).
    assertThat(change(changes, "permission").affected()).as("instances of the hub service").isEqualTo(4);
  }

  @Test
  void thePermissionChangeNeedsMtls() {
    assertThatThrownBy(() -> smoke().withProtocol(false, List.of("permission")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--mtls");
    assertThat(smoke().withMtls(true).changes()).endsWith("permission");
    assertThat(smoke().changes()).doesNotContain("permission");
  }

  @Test
  void streamsThatNackConvergeOnTheResentVersions() throws Exception {
    BenchReport report =
        run(smoke().withNack(0.3).withProtocol(false, List.of("endpoint-hub", "endpoint-leaf", "endpoint-remove")));

    assertThat(report.first().nacks()).as("NACKs sent").isPositive();
    assertThat(report.first().converged()).isEqualTo(20);
    for (ChangeResult c : report.changes()) {
      assertThat(c.converged()).as(c.kind()).isEqualTo(c.affected());
    }
  }

  @Test
  void deltaStreamsAreConfiguredAndEveryChangeReachesExactlyTheStreamsItAffects() throws Exception {
    BenchReport report = run(smoke().withProtocol(true, XdsLoadHarness.CHANGES));

    assertThat(report.first().failures()).as("failed streams").isEmpty();
    assertThat(report.first().converged()).as("delta streams with their full configuration").isEqualTo(20);
    assertThat(report.first().bytes()).isPositive();
    for (ChangeResult c : report.changes()) {
      assertThat(c.failures()).as(c.kind() + " failed streams").isEmpty();
      assertThat(c.converged()).as(c.kind() + ": " + c.description()).isEqualTo(c.affected());
      assertThat(c.pushesUnaffected()).as(c.kind() + ": pushes to streams it does not affect").isZero();
    }
    assertThat(change(report.changes(), "endpoint-hub").affected()).isEqualTo(20);
  }

  @Test
  void theSotwAndDeltaClientsWorkAgainstTheReferenceServer() throws Exception {
    // java-control-plane's own server, which also serves RDS, checks the clients themselves.
    // A SotW NACK makes the server resend (the version differs from the last ACKed one); a delta
    // NACK leaves the resource rejected until it changes, so delta runs without NACKs.
    for (String mode : List.of("sotw", "sotw-nack", "delta")) {
      ReferenceServerCheck.Result r =
          ReferenceServerCheck.run(mode.equals("delta"), 5, mode.endsWith("nack") ? 0.3 : 0, 30_000);
      String what = mode + " " + r;
      assertThat(r.failures()).as(what).isEmpty();
      assertThat(r.configured()).as(what).isEqualTo(5);
      assertThat(r.changed()).as(what).isEqualTo(5);
      if (mode.endsWith("nack")) {
        assertThat(r.nacks()).as(what).isPositive();
      }
    }
  }

  private static ChangeResult change(List<ChangeResult> changes, String kind) {
    return changes.stream().filter(c -> c.kind().equals(kind)).findFirst().orElseThrow();
  }
}
