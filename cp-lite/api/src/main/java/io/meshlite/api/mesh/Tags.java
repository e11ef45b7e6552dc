package io.meshlite.api.mesh;

import java.util.Set;

/** Well-known tag names and values of Kuma 2.14. */
public final class Tags {
  /** The service a Dataplane inbound belongs to; mandatory on every inbound. */
  public static final String SERVICE = "kuma.io/service";

  /** The L7 protocol of an inbound. */
  public static final String PROTOCOL = "kuma.io/protocol";

  /** Protocols Kuma accepts in {@code kuma.io/protocol}. */
  public static final Set<String> PROTOCOLS = Set.of("tcp", "http", "http2", "grpc", "kafka");

  private Tags() {}
}
