package io.meshlite.cp.store.memory;

import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.ResourceStoreContract;
import java.time.Clock;

class MemoryStoreTest extends ResourceStoreContract {
  @Override
  protected ResourceStore openStore(Clock clock) {
    return new MemoryStore(clock);
  }
}
