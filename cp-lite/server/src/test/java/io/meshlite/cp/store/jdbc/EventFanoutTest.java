package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.resource.ResourceKey;
import io.meshlite.cp.store.StoreEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EventFanoutTest {
  private static StoreEvent created(String name) {
    return new StoreEvent(StoreEvent.Kind.CREATED, new ResourceKey("Mesh", "", name));
  }

  @Test
  void eventsQueuedFromInsideAListenerComeAfterTheCurrentOne() {
    EventFanout fanout = new EventFanout();
    List<String> seen = new CopyOnWriteArrayList<>();
    fanout.subscribe(
        e -> {
          seen.add("a:" + e.key().name());
          if (e.key().name().equals("1")) {
            fanout.enqueue(List.of(created("nested")));
            fanout.drain(); // returns at once: the outer drain delivers it
            seen.add("a:after-nested-drain");
          }
        });
    fanout.subscribe(e -> seen.add("b:" + e.key().name()));

    fanout.enqueue(List.of(created("1"), created("2")));
    fanout.drain();

    assertThat(seen)
        .containsExactly(
            "a:1", "a:after-nested-drain", "b:1", "a:2", "b:2", "a:nested", "b:nested");
  }

  @Test
  void aThrowingListenerDoesNotStopDelivery() {
    EventFanout fanout = new EventFanout();
    List<String> seen = new CopyOnWriteArrayList<>();
    fanout.subscribe(
        e -> {
          throw new IllegalStateException("bug");
        });
    var sub = fanout.subscribe(e -> seen.add(e.key().name()));

    fanout.deliver(created("x"));
    sub.close();
    fanout.deliver(created("y"));

    assertThat(seen).containsExactly("x");
  }
}
