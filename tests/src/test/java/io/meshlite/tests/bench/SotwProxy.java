package io.meshlite.tests.bench;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A State-of-the-World ADS client that follows Envoy's order: CDS (wildcard) first; each CDS
 * update is ACKed and then the EDS names of its clusters are (re)requested; LDS (wildcard) is
 * requested once the clusters have their endpoints; each LDS update is ACKed and then the RDS names
 * of its listeners are (re)requested. Every request after an accepted response carries that
 * response's version and nonce; a NACK carries the last accepted version, the rejected nonce and
 * an error detail, and leaves the view unchanged.
 */
final class SotwProxy extends SimulatedProxy {
  private static final class TypeState {
    String version = "";
    String nonce = "";
    List<String> names = List.of();
    boolean requested;
  }

  private final Map<String, TypeState> types = new HashMap<>();
  private StreamObserver<DiscoveryRequest> requests;
  private boolean nodeSent;

  SotwProxy(String mesh, String name, String service, String token, double nackFraction, long seed) {
    super(mesh, name, service, token, nackFraction, seed, false);
    for (String t : List.of(ProxyView.CDS, ProxyView.EDS, ProxyView.LDS, ProxyView.RDS, ProxyView.SDS)) {
      types.put(t, new TypeState());
    }
  }

  @Override
  synchronized void start(AggregatedDiscoveryServiceStub stub) {
    startNanos = System.nanoTime();
    requests = withToken(stub).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse r) {
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
    TypeState cds = types.get(ProxyView.CDS);
    cds.requested = true;
    send(ProxyView.CDS, cds, "", null);
  }

  @Override
  synchronized void close() {
    if (requests != null && !failedAlready()) {
      failed("closed by the harness");
      requests.onCompleted();
    }
  }

  private synchronized void onResponse(DiscoveryResponse r) {
    if (failedAlready()) {
      return;
    }
    String type = r.getTypeUrl();
    received(type, r.getSerializedSize());
    TypeState st = types.computeIfAbsent(type, t -> new TypeState());
    if (nackNext()) {
      nacks.incrementAndGet();
      send(type, st, r.getNonce(), nackDetail());
      return;
    }
    try {
      if (type.equals(ProxyView.CDS) || type.equals(ProxyView.LDS)) {
        view.replaceAll(type, r.getResourcesList());
      } else {
        for (Any a : r.getResourcesList()) {
          view.put(type, a);
        }
        view.retain(type, Set.copyOf(st.names));
      }
    } catch (InvalidProtocolBufferException e) {
      nacks.incrementAndGet();
      send(type, st, r.getNonce(), Status.newBuilder().setCode(3).setMessage(e.toString()).build());
      return;
    }
    st.version = r.getVersionInfo();
    st.nonce = r.getNonce();
    view.acked(type);
    send(type, st, st.nonce, null);
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

  /** Envoy asks for listeners once its clusters are warm (have their load assignments). */
  private void startLdsWhenClustersReady() {
    TypeState lds = types.get(ProxyView.LDS);
    if (lds.requested) {
      return;
    }
    Set<String> eds = view.edsNames();
    if (eds.isEmpty() || view.hasAllLoadAssignments(eds)) {
      lds.requested = true;
      send(ProxyView.LDS, lds, "", null);
    }
  }

  private void subscribe(String type, Set<String> names) {
    TypeState st = types.get(type);
    List<String> list = List.copyOf(names);
    if ((!st.requested && list.isEmpty()) || (st.requested && st.names.equals(list))) {
      return;
    }
    st.requested = true;
    st.names = list;
    view.retain(type, names);
    send(type, st, st.nonce, null);
  }

  private void send(String type, TypeState st, String nonce, Status error) {
    DiscoveryRequest.Builder b =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .setVersionInfo(st.version)
            .setResponseNonce(nonce)
            .addAllResourceNames(st.names);
    if (!nodeSent) {
      b.setNode(node);
      nodeSent = true;
    }
    if (error != null) {
      b.setErrorDetail(error);
    }
    requests.onNext(b.build());
  }
}
