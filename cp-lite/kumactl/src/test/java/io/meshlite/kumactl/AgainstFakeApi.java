package io.meshlite.kumactl;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the kumactl tests that run the CLI against a {@link FakeApi}: a fresh fake control plane
 * and a kumactl home whose current control plane points at it, for every test.
 */
abstract class AgainstFakeApi {
  @TempDir Path home;
  FakeApi api;
  Cli cli;

  @BeforeEach
  void startFakeApi() throws Exception {
    api = new FakeApi();
    cli = new Cli(home).controlPlane(api.url());
  }

  @AfterEach
  void stopFakeApi() {
    api.close();
  }
}
