package io.meshlite.cp.dpserver;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpHeadersBuilder;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.RejectedExecutionException;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC call served by {@link GrpcBridgeService}: the grpc-java {@link ServerCall} the service's
 * handler (and its interceptors) see, on top of one Armeria request and streaming response.
 *
 * <p>Threads: the listener is only called on the request's event loop, one callback at a time and
 * never from inside another ({@link #request} only schedules demand). {@link #sendHeaders}, {@link
 * #sendMessage} and {@link #close} may be called from any thread; they write under this object's
 * lock, so frames never interleave and nothing is written after the trailers.
 *
 * <p>End of a call: the listener gets exactly one of {@code onComplete} (the call was closed and its
 * trailers were handed to the connection) or {@code onCancel} (the client reset the stream or went
 * away, the request was malformed, or a listener callback threw), and nothing after it.
 */
final class GrpcBridgeCall<Q, R> extends ServerCall<Q, R> implements Subscriber<byte[]> {
  private static final Logger log = LoggerFactory.getLogger(GrpcBridgeCall.class);
  private static final int FRAME_HEADER_BYTES = 5;

  private final ServiceRequestContext ctx;
  private final HttpRequest req;
  private final MethodDescriptor<Q, R> method;
  private final HttpResponseWriter res;
  private final EventExecutor loop;
  private final int maxMessageBytes;
  private final Attributes attributes;

  // Confined to the event loop.
  private Listener<Q> listener;
  private Subscription subscription;
  private long pendingDemand;
  private boolean finished;
  /** True while the handler or a listener callback runs: the call's end then waits its turn. */
  private boolean inCallback;

  // Guarded by this.
  private boolean headersSent;
  private volatile boolean closed;

  private volatile boolean cancelled;
  /** Set when the bridge, not the application, ended the call: it ends with onCancel. */
  private volatile Status failure;

  GrpcBridgeCall(
      ServiceRequestContext ctx,
      HttpRequest req,
      MethodDescriptor<Q, R> method,
      HttpResponseWriter res,
      int maxMessageBytes) {
    this.ctx = ctx;
    this.req = req;
    this.method = method;
    this.res = res;
    this.loop = ctx.eventLoop();
    this.maxMessageBytes = maxMessageBytes;
    this.attributes =
        Attributes.newBuilder()
            .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, ctx.remoteAddress())
            .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, ctx.localAddress())
            .build();
  }

  /** Starts the call on the event loop: the handler, then the request's messages as demanded. */
  void start(ServerCallHandler<Q, R> handler, Metadata headers) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> start(handler, headers));
      return;
    }
    inCallback = true; // until the listener exists
    // Every way a call ends passes here: the response completes after close(), or is aborted. At
    // once when possible (a stopping server closes its connections, and the stream callbacks should
    // have run by the time it has stopped), but never inside another callback.
    res.whenComplete()
        .handle(
            (ignored, cause) -> {
              if (loop.inEventLoop() && !inCallback) {
                finish(cause);
              } else {
                onLoop(() -> finish(cause));
              }
              return null;
            });
    ctx.whenRequestCancelling()
        .thenAccept(
            cause -> {
              cancelled = true;
              res.abort(cause);
            });
    try {
      listener = handler.startCall(this, headers);
    } catch (RuntimeException e) {
      inCallback = false;
      listener = new Listener<>() {};
      log.warn("gRPC call failed to start method={}", method.getFullMethodName(), e);
      req.abort();
      fail(Status.fromThrowable(e));
      return;
    }
    inCallback = false;
    invoke(listener::onReady);
    req.decode(new GrpcDeframer(maxMessageBytes), ctx.alloc()).subscribe(this, loop);
  }

  // ---------------------------------------------------------------- the request side

  @Override
  public void request(int numMessages) {
    if (numMessages <= 0) {
      return;
    }
    // Always later, never inside the caller: a listener that asks for more from onMessage must not
    // receive the next message before it returned.
    onLoop(
        () -> {
          if (finished) {
            return;
          }
          if (subscription == null) {
            pendingDemand += numMessages;
          } else {
            subscription.request(numMessages);
          }
        });
  }

  @Override
  public void onSubscribe(Subscription s) {
    subscription = s;
    if (finished) {
      s.cancel();
    } else if (pendingDemand > 0) {
      long n = pendingDemand;
      pendingDemand = 0;
      s.request(n);
    }
  }

  @Override
  public void onNext(byte[] body) {
    if (finished || closed) {
      return; // the application has closed the call: later messages have nowhere to go
    }
    Q message;
    try {
      message = method.parseRequest(new ByteArrayInputStream(body));
    } catch (RuntimeException e) {
      fail(Status.INTERNAL.withDescription("cannot parse the request message: " + e.getMessage()).withCause(e));
      return;
    }
    invoke(() -> listener.onMessage(message));
  }

  @Override
  public void onError(Throwable t) {
    if (finished) {
      return;
    }
    if (t instanceof StatusRuntimeException e) {
      fail(e.getStatus()); // a malformed or oversized message
    } else {
      // The client reset the stream or the connection went away.
      cancelled = true;
      res.abort(t);
    }
  }

  @Override
  public void onComplete() {
    if (finished || closed) {
      return;
    }
    invoke(listener::onHalfClose);
  }

  // ---------------------------------------------------------------- the response side

  @Override
  public void sendHeaders(Metadata headers) {
    ResponseHeadersBuilder b = grpcHeaders();
    GrpcBridgeService.addMetadata(b, headers);
    ResponseHeaders h = b.build();
    synchronized (this) {
      if (closed) {
        return;
      }
      if (headersSent) {
        throw new IllegalStateException("sendHeaders has already been called");
      }
      headersSent = true;
      res.tryWrite(h);
    }
  }

  @Override
  public void sendMessage(R message) {
    HttpData frame = HttpData.wrap(frame(message));
    synchronized (this) {
      if (closed) {
        return; // cancelled or already closed: the message is dropped, as grpc-java does
      }
      if (!headersSent) {
        throw new IllegalStateException("sendHeaders has not been called");
      }
      res.tryWrite(frame);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (this) {
      if (!closed) {
        writeClose(status, trailers);
      }
    }
  }

  @Override
  public boolean isReady() {
    return !closed && !cancelled;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public MethodDescriptor<Q, R> getMethodDescriptor() {
    return method;
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public String getAuthority() {
    return req.headers().authority();
  }

  // ---------------------------------------------------------------- internals

  /** Ends the call from the bridge's side: trailers with {@code status}, then onCancel. */
  private void fail(Status status) {
    synchronized (this) {
      if (closed) {
        return;
      }
      failure = status;
      cancelled = true;
      writeClose(status, new Metadata());
    }
    log.debug("gRPC call failed method={} status={}", method.getFullMethodName(), status);
  }

  /** Writes the status (trailers, or a trailers-only response) and closes the response. */
  private void writeClose(Status status, Metadata trailers) {
    assert Thread.holdsLock(this);
    closed = true;
    HttpHeadersBuilder b = headersSent ? HttpHeaders.builder() : grpcHeaders().endOfStream(true);
    b.add(GrpcBridgeService.GRPC_STATUS, Integer.toString(status.getCode().value()));
    if (status.getDescription() != null) {
      b.add(GrpcBridgeService.GRPC_MESSAGE, GrpcBridgeService.percentEncode(status.getDescription()));
    }
    GrpcBridgeService.addMetadata(b, trailers);
    res.tryWrite(b.build());
    res.close();
  }

  /** On the event loop, once: the listener's last callback. */
  private void finish(Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    closed = true;
    if (subscription != null) {
      subscription.cancel();
    }
    boolean completed = cause == null && failure == null;
    if (!completed) {
      cancelled = true;
    }
    if (listener == null) {
      return; // cannot happen: start() sets it before anything ends the call on the loop
    }
    inCallback = true;
    try {
      if (completed) {
        listener.onComplete();
      } else {
        listener.onCancel();
      }
    } catch (RuntimeException e) {
      log.warn("gRPC listener failed method={} in={}", method.getFullMethodName(), completed ? "onComplete" : "onCancel", e);
    } finally {
      inCallback = false;
    }
  }

  /** Runs a listener callback; one that throws ends the call as grpc-java does. */
  private void invoke(Runnable callback) {
    if (finished) {
      return;
    }
    inCallback = true;
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("gRPC listener failed method={}", method.getFullMethodName(), e);
      fail(Status.UNKNOWN.withDescription("Application error processing RPC").withCause(e));
    } finally {
      inCallback = false;
    }
  }

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("event loop is shut down, dropping a gRPC task method={}", method.getFullMethodName());
    }
  }

  private static ResponseHeadersBuilder grpcHeaders() {
    return ResponseHeaders.builder(HttpStatus.OK)
        .set(HttpHeaderNames.CONTENT_TYPE, GrpcBridgeService.CONTENT_TYPE)
        .set(GrpcBridgeService.GRPC_ENCODING, "identity")
        .set(GrpcBridgeService.GRPC_ACCEPT_ENCODING, "identity");
  }

  /** The message with its 5-byte prefix (uncompressed, big-endian length), in one array. */
  private byte[] frame(R message) {
    try (InputStream in = method.streamResponse(message)) {
      byte[] out;
      if (in instanceof KnownLength) {
        int size = in.available();
        out = new byte[FRAME_HEADER_BYTES + size];
        int read = in.readNBytes(out, FRAME_HEADER_BYTES, size);
        if (read != size || in.read() != -1) {
          throw new IOException("the marshaller announced " + size + " bytes but gave a different length");
        }
      } else {
        byte[] body = in.readAllBytes();
        out = new byte[FRAME_HEADER_BYTES + body.length];
        System.arraycopy(body, 0, out, FRAME_HEADER_BYTES, body.length);
      }
      int size = out.length - FRAME_HEADER_BYTES;
      out[1] = (byte) (size >>> 24);
      out[2] = (byte) (size >>> 16);
      out[3] = (byte) (size >>> 8);
      out[4] = (byte) size;
      return out;
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot serialize the response of " + method.getFullMethodName() + ": " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }
}
