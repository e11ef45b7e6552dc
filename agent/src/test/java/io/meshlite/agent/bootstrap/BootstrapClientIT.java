package io.meshlite.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.agent.testing.FakeControlPlane.Answer;
import io.meshlite.agent.testing.FakeControlPlane;
import io.meshlite.agent.testing.FakeTicker;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.testing.Ports;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bootstrap client against an in-process fake dataplane server on an ephemeral port. */
class BootstrapClientIT {
  private static final String YAML = "node: {id: default.dp-1}\n";
  private static final BootstrapRequest REQUEST = new BootstrapRequest("default", "dp-1", "dataplane", "jwt", null,
      null, null, "", null, null, 9902, null, "linux", List.of(), null, "/tmp/w", null, "", false, null);

  private final ControlPlaneTransport transport = new ControlPlaneTransport.Plain();
  private final FakeTicker ticker = new FakeTicker();
  private FakeControlPlane cp;

  @AfterEach
  void tearDown() {
    if (cp != null) {
      cp.close();
    }
    transport.close();
  }

  private BootstrapClient client(String address) {
    return new BootstrapClient(transport, URI.create(address), Duration.ofSeconds(3), Duration.ofSeconds(30), ticker);
  }

  private BootstrapResponse fetch(Answer... answers) throws Exception {
    cp = new FakeControlPlane(answers);
    return client(cp.address()).fetch(() -> REQUEST, new CountDownLatch(1));
  }

  private String fatal(Answer... answers) throws Exception {
    cp = new FakeControlPlane(answers);
    try {
      client(cp.address()).fetch(() -> REQUEST, new CountDownLatch(1));
    } catch (BootstrapException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("expected a BootstrapException");
  }

  @Test
  void postsJsonAndDecodesTheBase64Bootstrap() throws Exception {
    BootstrapResponse r = fetch(Answer.ok(YAML));
    assertThat(new String(r.bootstrap(), StandardCharsets.UTF_8)).isEqualTo(YAML);
    assertThat(cp.contentHeaders()).containsExactly("POST accept=application/json content-type=application/json");
    assertThat(cp.requests().get(0)).contains("\"mesh\":\"default\"").contains("\"name\":\"dp-1\"")
        .contains("\"dataplaneToken\":\"jwt\"").contains("\"readinessPort\":9902");
  }

  @Test
  void retriesWhileTheDataplaneIsNotFoundYet() throws Exception {
    BootstrapResponse r = fetch(Answer.notFound(), Answer.notFound(), Answer.ok(YAML));
    assertThat(r.bootstrap()).isNotEmpty();
    assertThat(cp.requests()).hasSize(3);
    assertThat(ticker.waits()).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  @Test
  void givesUpOnAMissingDataplaneWithAHint() throws Exception {
    String msg = fatal(Answer.notFound());
    assertThat(msg)
        .isEqualTo("Dataplane \"default/dp-1\" was not found on the control plane " + cp.address()
            + " (gave up after 30s): apply it first (kumactl apply -f dataplane.yaml) or pass it with --dataplane-file");
    assertThat(cp.requests()).hasSize(11);
  }

  @Test
  void otherClientErrorsAreFatalAtOnce() throws Exception {
    assertThat(fatal(Answer.text(422, "mesh \"demo\" does not exist\n")))
        .isEqualTo("Invalid request: mesh \"demo\" does not exist");
    assertThat(cp.requests()).hasSize(1);
    cp.close();
    assertThat(fatal(Answer.text(400, ""))).isEqualTo("Invalid request: the control plane rejected the request (HTTP 400)");
    cp.close();
    assertThat(fatal(Answer.text(404, "dataplane is in another zone"))).isEqualTo("Invalid request: dataplane is in another zone");
  }

  @Test
  void serverErrorsAreRetried() throws Exception {
    assertThat(fetch(Answer.text(503, "not ready"), Answer.text(500, "boom"), Answer.ok(YAML)).bootstrap()).isNotEmpty();
    assertThat(cp.requests()).hasSize(3);
    cp.close();
    assertThat(fatal(Answer.text(500, "boom"))).contains("answered HTTP 500: boom").contains("check the kuma-cp logs");
  }

  @Test
  void aWrongPortIsRetriedWithAHint() throws Exception {
    assertThat(fetch(Answer.pageNotFound(), Answer.ok(YAML)).bootstrap()).isNotEmpty();
    cp.close();
    assertThat(fatal(Answer.pageNotFound())).contains("404: Page Not Found").contains("port 5678").contains("5681");
  }

  @Test
  void anUnreachableControlPlaneIsNamed() {
    String address = "http://127.0.0.1:" + Ports.free();
    assertThatThrownBy(() -> client(address).fetch(() -> REQUEST, new CountDownLatch(1)))
        .isInstanceOf(BootstrapException.class)
        .hasMessageStartingWith("could not reach the control plane at " + address + " (gave up after 30s)")
        .hasMessageContaining("KUMA_CONTROL_PLANE_URL");
  }

  @Test
  void localErrorsAreRetriedToo() throws Exception {
    cp = new FakeControlPlane(Answer.ok(YAML));
    int[] calls = {0};
    BootstrapResponse r = client(cp.address()).fetch(() -> {
      if (calls[0]++ == 0) {
        throw new java.io.IOException("cannot read the dataplane token /x");
      }
      return REQUEST;
    }, new CountDownLatch(1));
    assertThat(r.bootstrap()).isNotEmpty();
    assertThat(cp.requests()).hasSize(1);
  }

  @Test
  void cancellingStopsTheRetries() throws Exception {
    cp = new FakeControlPlane(Answer.notFound());
    CountDownLatch cancel = new CountDownLatch(1);
    BootstrapClient c = client(cp.address());
    assertThatThrownBy(() -> c.fetch(() -> {
      cancel.countDown();
      return REQUEST;
    }, cancel)).isInstanceOf(CancellationException.class);
    assertThat(cp.requests()).hasSize(1);
  }

  @Test
  void fetchOnceDoesNotRetry() throws Exception {
    cp = new FakeControlPlane(Answer.text(503, "busy"));
    assertThatThrownBy(() -> client(cp.address()).fetchOnce(() -> REQUEST)).isInstanceOf(BootstrapException.class)
        .hasMessageContaining("HTTP 503");
    assertThat(cp.requests()).hasSize(1);
  }
}
