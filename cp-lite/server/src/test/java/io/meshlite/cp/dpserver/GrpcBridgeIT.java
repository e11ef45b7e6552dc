package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GrpcBridgeService} on a real Armeria server (h2c), called by Armeria's gRPC client and by a
 * raw HTTP/2 client that controls the framing byte by byte.
 */
@Timeout(120)
class GrpcBridgeIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX_MESSAGE_BYTES = 64 * 1024;
  private static final String SOTW_PATH =
      "/" + AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().getFullMethodName();
  private static final Context.Key<String> TOKEN = Context.key("token");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> TRACE_BIN = Metadata.Key.of("x-trace-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private Server server;
  private ClientFactory factory;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop().join();
    }
    if (factory != null) {
      factory.close();
    }
  }

  // ---------------------------------------------------------------- through a gRPC client

  @Test
  void bidiMessagesBothWaysThenHalfCloseCompletes() {
    start(new Echo().bindService());
    Collector responses = new Collector();
    StreamObserver<DiscoveryRequest> requests = stub().streamAggregatedResources(responses);
    for (int i = 0; i < 3; i++) {
      requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("v" + i).build());
    }
    await().atMost(WAIT).until(() -> responses.messages.size() == 3);
    requests.onCompleted();
    await().atMost(WAIT).until(() -> responses.completed);
    assertThat(responses.messages).extracting(DiscoveryResponse::getVersionInfo).containsExactly("v0", "v1", "v2");
    assertThat(responses.error.get()).isNull();
  }

  @Test
  void metadataReachesInterceptorsAndTheirContext() {
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerInterceptor interceptor =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            seen.add(headers.get(AUTHORIZATION));
            seen.add(new String(headers.get(TRACE_BIN), StandardCharsets.UTF_8));
            return Contexts.interceptCall(Context.current().withValue(TOKEN, headers.get(AUTHORIZATION)), call, headers, next);
          }
        };
    start(ServerInterceptors.intercept(new Echo(), interceptor));
    Metadata md = new Metadata();
    md.put(AUTHORIZATION, "Bearer a.b.c");
    md.put(TRACE_BIN, "binary\u0000value".getBytes(StandardCharsets.UTF_8));
    Collector responses = new Collector();
    StreamObserver<DiscoveryRequest> requests =
        stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).streamAggregatedResources(responses);
    requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("v").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);
    assertThat(seen).containsExactly("Bearer a.b.c", "binary\u0000value");
    // Echo reads the interceptor's context value when the stream opens and sends it as the nonce.
    assertThat(responses.messages.get(0).getNonce()).isEqualTo("Bearer a.b.c");
    requests.onCompleted();
  }

  @Test
  void serverErrorReachesTheClientWithItsStatusAndMessage() {
    start(new Echo().bindService());
    String message = "token rejected: \"ünïcödé\" 100% \u2713";
    // Before any response: a trailers-only response.
    Collector first = new Collector();
    stub().streamAggregatedResources(first).onNext(DiscoveryRequest.newBuilder().setVersionInfo("fail:" + message).build());
    await().atMost(WAIT).until(() -> first.error.get() != null);
    assertThat(Status.fromThrowable(first.error.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Status.fromThrowable(first.error.get()).getDescription()).isEqualTo(message);
    // After a response: headers, a message, then trailers.
    Collector second = new Collector();
    StreamObserver<DiscoveryRequest> requests = stub().streamAggregatedResources(second);
    requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("ok").build());
    await().atMost(WAIT).until(() -> second.messages.size() == 1);
    requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("fail:" + message).build());
    await().atMost(WAIT).until(() -> second.error.get() != null);
    assertThat(Status.fromThrowable(second.error.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Status.fromThrowable(second.error.get()).getDescription()).isEqualTo(message);
  }

  @Test
  void clientCancelGivesOnCancelOnceAndStopsWrites() {
    Recorder recorder = new Recorder((call, request) -> {});
    start(recorder.definition());
    Collector responses = new Collector();
    StreamObserver<DiscoveryRequest> requests = stub().streamAggregatedResources(responses);
    requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("v").build());
    await().atMost(WAIT).until(() -> recorder.events.contains("message:v"));
    ServerCall<DiscoveryRequest, DiscoveryResponse> call = recorder.call.get();
    call.sendHeaders(new Metadata());
    call.sendMessage(DiscoveryResponse.newBuilder().setVersionInfo("r").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);
    assertThat(call.isReady()).isTrue();

    ((ClientCallStreamObserver<DiscoveryRequest>) requests).cancel("the test cancels", null);

    await().atMost(WAIT).until(() -> recorder.events.contains("cancel"));
    assertThat(call.isCancelled()).isTrue();
    assertThat(call.isReady()).isFalse();
    // Writes after the cancel are dropped without an exception, and end nothing a second time.
    call.sendMessage(DiscoveryResponse.newBuilder().setVersionInfo("late").build());
    call.close(Status.OK, new Metadata());
    // A second call on the same server proves the loop has run everything queued for the first.
    Collector other = new Collector();
    stub().streamAggregatedResources(other).onNext(DiscoveryRequest.newBuilder().setVersionInfo("w").build());
    await().atMost(WAIT).until(() -> recorder.events.contains("message:w"));
    assertThat(recorder.events).containsExactly("ready", "message:v", "cancel", "ready", "message:w");
    assertThat(recorder.overlapped.get()).isFalse();
    assertThat(responses.messages).extracting(DiscoveryResponse::getVersionInfo).containsExactly("r");
  }

  @Test
  void concurrentSendsFromManyThreadsKeepFramesIntact() {
    int threads = 4;
    int perThread = 150;
    Recorder recorder =
        new Recorder(
            (call, request) -> {
              call.sendHeaders(new Metadata());
              List<Thread> senders = new ArrayList<>();
              for (int t = 0; t < threads; t++) {
                int id = t;
                senders.add(
                    Thread.ofPlatform()
                        .name("sender-" + t)
                        .start(
                            () -> {
                              for (int i = 0; i < perThread; i++) {
                                // 1 byte to ~40 KiB: many messages span several HTTP/2 DATA frames.
                                String payload = "x".repeat((id * 7919 + i * 104_729) % 40_000 + 1);
                                call.sendMessage(
                                    DiscoveryResponse.newBuilder()
                                        .setNonce(id + "-" + i)
                                        .setVersionInfo(payload)
                                        .build());
                              }
                            }));
              }
              Thread.ofPlatform()
                  .name("closer")
                  .start(
                      () -> {
                        for (Thread s : senders) {
                          try {
                            s.join();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }
                        call.close(Status.OK, new Metadata());
                      });
            });
    start(recorder.definition());
    Collector responses = new Collector();
    StreamObserver<DiscoveryRequest> requests = stub().streamAggregatedResources(responses);
    requests.onNext(DiscoveryRequest.newBuilder().setVersionInfo("go").build());
    await().atMost(WAIT).until(() -> responses.completed || responses.error.get() != null);
    assertThat(responses.error.get()).isNull();
    assertThat(responses.messages).hasSize(threads * perThread);
    Map<String, Integer> next = new HashMap<>();
    for (DiscoveryResponse r : responses.messages) {
      String[] parts = r.getNonce().split("-");
      int expected = next.getOrDefault(parts[0], 0);
      assertThat(Integer.parseInt(parts[1])).as("order of thread %s", parts[0]).isEqualTo(expected);
      assertThat(r.getVersionInfo()).hasSize((Integer.parseInt(parts[0]) * 7919 + expected * 104_729) % 40_000 + 1);
      next.put(parts[0], expected + 1);
    }
    await().atMost(WAIT).until(() -> recorder.events.contains("complete"));
    assertThat(recorder.events).doesNotContain("cancel");
  }

  @Test
  void aListenerThatThrowsEndsTheCallWithUnknownAndOnCancel() {
    Recorder recorder =
        new Recorder(
            (call, request) -> {
              throw new IllegalStateException("boom");
            });
    start(recorder.definition());
    Collector responses = new Collector();
    stub().streamAggregatedResources(responses).onNext(DiscoveryRequest.newBuilder().setVersionInfo("v").build());
    await().atMost(WAIT).until(() -> responses.error.get() != null);
    assertThat(Status.fromThrowable(responses.error.get()).getCode()).isEqualTo(Status.Code.UNKNOWN);
    await().atMost(WAIT).until(() -> recorder.events.contains("cancel"));
    assertThat(recorder.events).containsExactly("ready", "message:v", "cancel");
    assertThat(recorder.overlapped.get()).isFalse();
  }

  // ---------------------------------------------------------------- through raw HTTP/2

  @Test
  void messagesSplitAcrossDataFramesAndSharingOneAreAllDelivered() {
    start(new Echo().bindService());
    byte[] a = frame(DiscoveryRequest.newBuilder().setVersionInfo("a").build());
    byte[] b = frame(DiscoveryRequest.newBuilder().setVersionInfo("b").build());
    byte[] c = frame(DiscoveryRequest.newBuilder().setVersionInfo("c".repeat(3000)).build());
    HttpRequestWriter req = HttpRequest.streaming(grpcHeaders(SOTW_PATH, "application/grpc"));
    var response = web().execute(req).aggregate();
    req.write(HttpData.wrap(concat(a, b))); // two messages in one DATA frame
    req.write(HttpData.wrap(c, 0, 2)); // a third one across three frames, its header split too
    req.write(HttpData.wrap(c, 2, 1000));
    req.write(HttpData.wrap(c, 1002, c.length - 1002));
    req.close();
    AggregatedHttpResponse res = response.join();
    assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/grpc");
    assertThat(grpcStatus(res)).isEqualTo("0");
    assertThat(deframe(res.content().array()))
        .extracting(DiscoveryResponse::getVersionInfo)
        .containsExactly("a", "b", "c".repeat(3000));
  }

  @Test
  void unknownMethodIsUnimplemented() {
    start(new Echo().bindService());
    AggregatedHttpResponse res =
        web()
            .execute(
                grpcHeaders("/" + AggregatedDiscoveryServiceGrpc.SERVICE_NAME + "/NoSuchMethod", "application/grpc"),
                HttpData.wrap(frame(DiscoveryRequest.getDefaultInstance())))
            .aggregate()
            .join();
    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.headers().get("grpc-status")).isEqualTo("12");
    assertThat(res.headers().get("grpc-message")).contains("NoSuchMethod");
    assertThat(res.content().isEmpty()).isTrue();
  }

  @Test
  void otherContentTypesAreRefusedWith415() {
    start(new Echo().bindService());
    AggregatedHttpResponse res =
        web().execute(grpcHeaders(SOTW_PATH, "application/grpc+json"), HttpData.ofUtf8("{}")).aggregate().join();
    assertThat(res.status().code()).isEqualTo(415);
  }

  @Test
  void oversizeMessageIsResourceExhaustedAndCancelsTheCall() {
    Recorder recorder = new Recorder((call, request) -> {});
    start(recorder.definition());
    HttpRequestWriter req = HttpRequest.streaming(grpcHeaders(SOTW_PATH, "application/grpc+proto"));
    var response = web().execute(req).aggregate();
    req.write(HttpData.wrap(frame(DiscoveryRequest.newBuilder().setVersionInfo("small").build())));
    // Only the 5-byte header of an oversized message: the server must refuse it without the body.
    req.write(HttpData.wrap(ByteBuffer.allocate(5).put((byte) 0).putInt(MAX_MESSAGE_BYTES + 1).array()));
    AggregatedHttpResponse res = response.join();
    req.abort();
    assertThat(grpcStatus(res)).isEqualTo("8");
    assertThat(res.trailers().isEmpty() ? res.headers().get("grpc-message") : res.trailers().get("grpc-message"))
        .contains("exceeds maximum");
    await().atMost(WAIT).until(() -> recorder.events.contains("cancel"));
    assertThat(recorder.events).containsExactly("ready", "message:small", "cancel");
  }

  @Test
  void compressedMessageIsInternal() {
    start(new Echo().bindService());
    byte[] f = frame(DiscoveryRequest.newBuilder().setVersionInfo("z").build());
    f[0] = 1;
    RequestHeaders headers = grpcHeaders(SOTW_PATH, "application/grpc").toBuilder().set("grpc-encoding", "gzip").build();
    AggregatedHttpResponse res = web().execute(headers, HttpData.wrap(f)).aggregate().join();
    assertThat(grpcStatus(res)).isEqualTo("13");
  }

  // ---------------------------------------------------------------- fixtures

  private void start(ServerServiceDefinition definition) {
    GrpcBridgeService bridge = new GrpcBridgeService(definition, MAX_MESSAGE_BYTES);
    server =
        Server.builder()
            .http(new java.net.InetSocketAddress("127.0.0.1", 0))
            .requestTimeout(Duration.ZERO)
            .maxRequestLength(0)
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
            .serviceUnder(bridge.pathPrefix(), bridge)
            .build();
    server.start().join();
    factory = ClientFactory.builder().build();
  }

  private AggregatedDiscoveryServiceStub stub() {
    return GrpcClients.builder("h2c://127.0.0.1:" + server.activeLocalPort() + "/")
        .factory(factory)
        .responseTimeout(Duration.ZERO)
        .maxResponseLength(0)
        .build(AggregatedDiscoveryServiceStub.class);
  }

  private WebClient web() {
    return WebClient.builder("h2c://127.0.0.1:" + server.activeLocalPort())
        .factory(factory)
        .responseTimeout(Duration.ZERO)
        .maxResponseLength(0)
        .build();
  }

  private static RequestHeaders grpcHeaders(String path, String contentType) {
    return RequestHeaders.builder(HttpMethod.POST, path)
        .contentType(com.linecorp.armeria.common.MediaType.parse(contentType))
        .set(HttpHeaderNames.TE, "trailers")
        .build();
  }

  private static String grpcStatus(AggregatedHttpResponse res) {
    HttpHeaders where = res.trailers().isEmpty() ? res.headers() : res.trailers();
    return where.get("grpc-status");
  }

  private static byte[] frame(com.google.protobuf.MessageLite m) {
    byte[] body = m.toByteArray();
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static List<DiscoveryResponse> deframe(byte[] body) {
    ByteBuffer in = ByteBuffer.wrap(body);
    List<DiscoveryResponse> out = new ArrayList<>();
    while (in.hasRemaining()) {
      assertThat(in.get()).as("compressed flag").isZero();
      byte[] m = new byte[in.getInt()];
      in.get(m);
      try {
        out.add(DiscoveryResponse.parseFrom(m));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  /** Answers each request with its version; {@code fail:<msg>} ends the stream UNAUTHENTICATED. */
  private static final class Echo extends AggregatedDiscoveryServiceImplBase {
    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
      String token = TOKEN.get();
      return new StreamObserver<>() {
        @Override
        public void onNext(DiscoveryRequest r) {
          if (r.getVersionInfo().startsWith("fail:")) {
            out.onError(Status.UNAUTHENTICATED.withDescription(r.getVersionInfo().substring(5)).asRuntimeException());
          } else {
            out.onNext(
                DiscoveryResponse.newBuilder().setVersionInfo(r.getVersionInfo()).setNonce(token == null ? "" : token).build());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  /** A raw handler that records its listener's callbacks and checks they never overlap. */
  private static final class Recorder implements ServerCallHandler<DiscoveryRequest, DiscoveryResponse> {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final AtomicReference<ServerCall<DiscoveryRequest, DiscoveryResponse>> call = new AtomicReference<>();
    final AtomicBoolean overlapped = new AtomicBoolean();
    private final AtomicInteger inside = new AtomicInteger();
    private final BiConsumer<ServerCall<DiscoveryRequest, DiscoveryResponse>, DiscoveryRequest> onMessage;

    Recorder(BiConsumer<ServerCall<DiscoveryRequest, DiscoveryResponse>, DiscoveryRequest> onMessage) {
      this.onMessage = onMessage;
    }

    ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
          .addMethod(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), this)
          .build();
    }

    @Override
    public ServerCall.Listener<DiscoveryRequest> startCall(
        ServerCall<DiscoveryRequest, DiscoveryResponse> c, Metadata headers) {
      call.set(c);
      c.request(1);
      return new ServerCall.Listener<>() {
        private void record(String event, Runnable then) {
          if (inside.getAndIncrement() != 0) {
            overlapped.set(true);
          }
          events.add(event);
          try {
            then.run();
          } finally {
            inside.decrementAndGet();
          }
        }

        @Override
        public void onMessage(DiscoveryRequest m) {
          record(
              "message:" + m.getVersionInfo(),
              () -> {
                onMessage.accept(c, m);
                c.request(1);
              });
        }

        @Override
        public void onHalfClose() {
          record("halfClose", () -> {});
        }

        @Override
        public void onCancel() {
          record("cancel", () -> {});
        }

        @Override
        public void onComplete() {
          record("complete", () -> {});
        }

        @Override
        public void onReady() {
          record("ready", () -> {});
        }
      };
    }
  }

  private static final class Collector implements StreamObserver<DiscoveryResponse> {
    final List<DiscoveryResponse> messages = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile boolean completed;

    @Override
    public void onNext(DiscoveryResponse r) {
      messages.add(r);
    }

    @Override
    public void onError(Throwable t) {
      error.compareAndSet(null, t);
    }

    @Override
    public void onCompleted() {
      completed = true;
    }
  }
}
