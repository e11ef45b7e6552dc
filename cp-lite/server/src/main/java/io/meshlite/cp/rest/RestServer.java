package io.meshlite.cp.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.meshlite.api.resource.Json;
import io.meshlite.api.rest.IndexResponse;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.diagnostics.Metrics;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.tokens.api.ApiSecurity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's REST API server (HTTP, {@code apiServer.http}, 5681 by default) on Armeria. One catch-all
 * service aggregates the request (at most {@link #MAX_BODY_BYTES}), runs {@link RestApi} on a
 * virtual thread (store calls may block) and writes the JSON reply. Armeria's own rejections
 * (oversized body, malformed request line, timeouts) are rendered as Kuma error JSON too.
 */
public final class RestServer implements Component {
  private static final Logger log = LoggerFactory.getLogger(RestServer.class);

  /** The largest request body accepted (413 above it). */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private final CpConfig.ApiServer config;
  private final RestApi api;
  private final Metrics.Counter requests;
  private final ApiSecurity security;
  private volatile Server server;
  private volatile ExecutorService executor;
  private volatile boolean started;

  /**
   * @param config the whole config ({@code apiServer} is used; the redacted copy is served on
   *     {@code /config})
   * @param manager the write path
   * @param index the body of {@code GET /}
   * @param metrics where request counts go
   */
  public RestServer(CpConfig config, ResourceManager manager, IndexResponse index, Metrics metrics) {
    this(config, manager, index, metrics, ApiSecurity.open());
  }

  /**
   * @param security authentication, admin-only routes, token endpoints and the HTTPS port
   */
  public RestServer(CpConfig config, ResourceManager manager, IndexResponse index, Metrics metrics, ApiSecurity security) {
    this.security = security;
    this.config = config.apiServer();
    var redacted = config.toRedactedJson();
    this.api =
        new RestApi(manager, index, redacted::deepCopy, this.config.basePath(), this.config.readOnly());
    this.requests =
        metrics.counter(
            "api_server_http_requests_total", "Requests served by the REST API.", "method", "status_code");
  }

  @Override
  public void start() {
    if (!config.http().enabled() && !security.servesHttps()) {
      log.info("REST API disabled (apiServer.http.enabled=false, no HTTPS)");
      started = true;
      return;
    }
    executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rest-api-", 0).factory());
    ServerBuilder sb = Server.builder();
    if (config.http().enabled()) {
      sb.http(new InetSocketAddress(config.http().iface(), config.http().port()));
    }
    security.configure(sb, config.basePath());
    Server s =
        sb.maxRequestLength(MAX_BODY_BYTES)
            .requestTimeout(Duration.ofSeconds(60))
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(3))
            .errorHandler(new JsonErrorHandler())
            .serviceUnder("/", (ctx, req) -> serve(ctx, req))
            .build();
    s.start().join();
    server = s;
    started = true;
    log.info(
        "REST API listening http={} https={}",
        config.http().enabled() ? config.http().iface() + ":" + port() : "off",
        security.servesHttps() ? config.https().iface() + ":" + httpsPort() : "off");
  }

  /** The bound HTTP port (useful when configured with 0). */
  public int port() {
    Server s = server;
    return s == null ? config.http().port() : s.activeLocalPort(SessionProtocol.HTTP);
  }

  /** The bound HTTPS port (useful when configured with 0). */
  public int httpsPort() {
    Server s = server;
    return s == null ? config.https().port() : s.activeLocalPort(SessionProtocol.HTTPS);
  }

  @Override
  public boolean ready() {
    return started;
  }

  @Override
  public void stop() {
    started = false;
    Server s = server;
    server = null;
    if (s != null) {
      awaitClosed(s);
    }
    ExecutorService e = executor;
    executor = null;
    if (e != null) {
      e.shutdownNow();
    }
    if (s != null) {
      log.info("REST API stopped");
    }
  }

  @Override
  public String toString() {
    return "rest-api";
  }

  /**
   * Stops the server and waits until its port is released and its connections are closed (Armeria
   * closes them once in-flight requests are answered, within the 3s graceful timeout). The rest of
   * Armeria's shutdown, a fixed ~2s event-loop quiet period, finishes in the background.
   */
  private static void awaitClosed(Server s) {
    CompletableFuture<Void> done = s.stop();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.isDone()
        && (!s.activePorts().isEmpty() || s.numConnections() > 0)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    // Count what was really sent, including answers Armeria gives itself (e.g. an early 413).
    ctx.log()
        .whenComplete()
        .thenAccept(l -> requests.inc(ctx.method().name(), Integer.toString(l.responseStatus().code())));
    CompletableFuture<RestApi.Reply> reply =
        req.aggregate()
            .handleAsync(
                (agg, err) -> err == null ? api.handle(toRequest(ctx, agg)) : aggregationFailure(err),
                executor);
    return HttpResponse.of(
        reply.thenApply(
            r -> {
              if (log.isDebugEnabled()) {
                log.debug("api request method={} path={} status={}", ctx.method(), ctx.path(), r.status());
              }
              return toHttp(r);
            }));
  }

  private static RestApi.Request toRequest(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    QueryParams qp = ctx.queryParams();
    for (String name : qp.names()) {
      query.put(name, qp.getAll(name));
    }
    String authority = agg.headers().authority();
    if (authority == null || authority.isEmpty()) {
      InetSocketAddress local = ctx.localAddress();
      authority = local.getHostString() + ":" + local.getPort();
    }
    String scheme = ctx.sessionProtocol().isTls() ? "https" : "http";
    return new RestApi.Request(
        ctx.method().name(),
        ctx.path(),
        query,
        agg.headers().get(HttpHeaderNames.CONTENT_TYPE),
        scheme + "://" + authority,
        agg.content().array());
  }

  private static RestApi.Reply aggregationFailure(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ContentTooLargeException
          || (t instanceof HttpStatusException hse && hse.httpStatus().code() == 413)) {
        return tooLarge();
      }
    }
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    log.debug("request body could not be aggregated error={}", cause.toString());
    return RestErrors.reply(
        new RestException(400, "Bad Request", "the request body could not be read: " + cause), "Bad Request");
  }

  private static RestApi.Reply tooLarge() {
    return RestErrors.reply(
        new RestException(413, "Request body is too large", "the limit is " + MAX_BODY_BYTES + " bytes"),
        "Request body is too large");
  }

  private static HttpResponse toHttp(RestApi.Reply r) {
    return HttpResponse.of(HttpStatus.valueOf(r.status()), MediaType.JSON_UTF_8, bytes(r));
  }

  private static byte[] bytes(RestApi.Reply r) {
    try {
      return Json.mapper().writeValueAsBytes(r.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders Armeria's own errors (before or around our service) as Kuma error JSON. */
  private static final class JsonErrorHandler implements ServerErrorHandler {
    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      RestApi.Reply r;
      if (cause instanceof ContentTooLargeException
          || (cause instanceof HttpStatusException h && h.httpStatus().code() == 413)) {
        r = tooLarge();
      } else if (cause instanceof HttpStatusException hse) {
        r = RestErrors.forStatus(hse.httpStatus().code(), hse.httpStatus().reasonPhrase());
      } else {
        r = RestErrors.reply(cause, "Could not process the request");
      }
      return toHttp(r);
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(
        ServiceConfig config, RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
      return render(status, description, cause);
    }

    @Override
    public AggregatedHttpResponse renderStatus(
        ServiceRequestContext ctx,
        ServiceConfig config,
        RequestHeaders headers,
        HttpStatus status,
        String description,
        Throwable cause) {
      return render(status, description, cause);
    }

    private static AggregatedHttpResponse render(HttpStatus status, String description, Throwable cause) {
      RestApi.Reply r;
      if (status.code() == 413 || cause instanceof ContentTooLargeException) {
        r = tooLarge();
      } else {
        String detail = description == null || description.isEmpty() ? status.reasonPhrase() : description;
        r = RestErrors.forStatus(status.code(), detail);
      }
      return AggregatedHttpResponse.of(HttpStatus.valueOf(r.status()), MediaType.JSON_UTF_8, bytes(r));
    }
  }
}
