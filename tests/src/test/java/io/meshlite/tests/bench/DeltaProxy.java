package io.meshlite.tests.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An incremental (delta) ADS client in Envoy's order: CDS and LDS are wildcard subscriptions (the
 * first request names nothing), EDS and RDS subscribe to and unsubscribe from the names the
 * clusters and listeners need. Each response is applied (added/updated resources, removed names)
 * and ACKed with its nonce; a NACK sends the nonce with an error detail and applies nothing.
 */
final class DeltaProxy extends SimulatedProxy {
  private static final class TypeState {
    boolean requested;
    Set<String> subscribed = Set.of();
    final Map<String, String> versions = new HashMap<>();
  }

  private final Map<String, TypeState> types = new HashMap<>();
  private StreamObserver<DeltaDiscoveryRequest> requests;
  private boolean nodeSent;

  DeltaProxy(String mesh, String name, String service, String token, double nackFraction, long seed) {
    super(mesh, name, service, token, nackFraction, seed, true);
    for (String t : List.of(ProxyView.CDS, ProxyView.EDS, ProxyView.LDS, ProxyView.RDS, ProxyView.SDS)) {
      types.put(t, new TypeState());
    }
  }

  @Override
  synchronized void start(AggregatedDiscoveryServiceStub stub) {
    startNanos = System.nanoTime();
    requests = withToken(stub).deltaAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DeltaDiscoveryResponse r) {
        onResponse(r);
      }

      @Override
      public void onError(Throwable t) {
        failed(describe(t));
      }

      @Override
      public void onCompleted() {
        failed("the server closed the stream");
      }
    });
    types.get(ProxyView.CDS).requested = true;
    send(request(ProxyView.CDS));
  }

  @Override
  synchronized void close() {
    if (requests != null && !failedAlready()) {
      failed("closed by the harness");
      requests.onCompleted();
    }
  }

  private synchronized void onResponse(DeltaDiscoveryResponse r) {
    if (failedAlready()) {
      return;
    }
    String type = r.getTypeUrl();
    received(type, r.getSerializedSize());
    TypeState st = types.computeIfAbsent(type, t -> new TypeState());
    if (nackNext()) {
      nacks.incrementAndGet();
      send(request(type).setResponseNonce(r.getNonce()).setErrorDetail(nackDetail()));
      return;
    }
    try {
      for (Resource res : r.getResourcesList()) {
        view.put(type, res.getResource());
      }
    } catch (InvalidProtocolBufferException e) {
      nacks.incrementAndGet();
      send(
          request(type)
              .setResponseNonce(r.getNonce())
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage(e.toString())));
      return;
    }
    for (Resource res : r.getResourcesList()) {
      st.versions.put(res.getName(), res.getVersion());
    }
    for (String removed : r.getRemovedResourcesList()) {
      view.remove(type, removed);
      st.versions.remove(removed);
    }
    view.acked(type);
    send(request(type).setResponseNonce(r.getNonce()));
    switch (type) {
      case ProxyView.CDS -> {
        subscribe(ProxyView.EDS, view.edsNames());
        subscribe(ProxyView.SDS, view.sdsNames());
        startLdsWhenClustersReady();
      }
      case ProxyView.EDS -> startLdsWhenClustersReady();
      case ProxyView.LDS -> {
        subscribe(ProxyView.RDS, view.rdsNames());
        subscribe(ProxyView.SDS, view.sdsNames());
      }
      default -> {}
    }
    acked();
  }

  private void startLdsWhenClustersReady() {
    TypeState lds = types.get(ProxyView.LDS);
    if (lds.requested) {
      return;
    }
    Set<String> eds = view.edsNames();
    if (eds.isEmpty() || view.hasAllLoadAssignments(eds)) {
      lds.requested = true;
      send(request(ProxyView.LDS));
    }
  }

  private void subscribe(String type, Set<String> names) {
    TypeState st = types.get(type);
    Set<String> add = new TreeSet<>(names);
    add.removeAll(st.subscribed);
    Set<String> drop = new TreeSet<>(st.subscribed);
    drop.removeAll(names);
    if (add.isEmpty() && drop.isEmpty()) {
      return;
    }
    st.requested = true;
    st.subscribed = Set.copyOf(names);
    view.retain(type, names);
    drop.forEach(st.versions::remove);
    send(request(type).addAllResourceNamesSubscribe(add).addAllResourceNamesUnsubscribe(drop));
  }

  private DeltaDiscoveryRequest.Builder request(String type) {
    DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(type);
    if (!nodeSent) {
      b.setNode(node);
      nodeSent = true;
    }
    return b;
  }

  private void send(DeltaDiscoveryRequest.Builder b) {
    requests.onNext(b.build());
  }
}
