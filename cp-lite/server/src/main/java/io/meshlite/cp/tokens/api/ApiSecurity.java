package io.meshlite.cp.tokens.api;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.tls.CpTls;
import io.meshlite.cp.tls.Pem;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.tokens.UserTokens;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization of the REST API, as Kuma's {@code tokens} authn with {@code
 * localhostIsAdmin}: a caller from 127.0.0.1 or ::1 is the admin (unless {@code
 * apiServer.authn.localhostIsAdmin} is off), so is a client with a certificate trusted by {@code
 * apiServer.auth.clientCertsDir} on the HTTPS port; otherwise {@code Authorization: Bearer <user
 * token>} names the user, and without it the caller is anonymous. Token issuing, Secrets,
 * GlobalSecrets and the CA endpoint are admin-only (401 for an anonymous caller, 403 for a user who
 * is not an admin); a bad token is 401 everywhere. Also serves {@code POST /tokens/dataplane},
 * {@code POST /tokens/user}, {@code GET /who-am-i} and {@code GET /tls/ca.pem}, and the HTTPS port.
 */
public final class ApiSecurity {
  private static final Logger log = LoggerFactory.getLogger(ApiSecurity.class);
  private static final AttributeKey<Caller> CALLER = AttributeKey.valueOf(ApiSecurity.class, "caller");

  /**
   * @param enabled false = everyone is admin (tests of other parts; never from config)
   * @param localhostIsAdmin {@code apiServer.authn.localhostIsAdmin}
   * @param tokens accept user tokens ({@code apiServer.authn.type: tokens})
   * @param clientCertsDir {@code apiServer.auth.clientCertsDir}: certificates (or CAs) of admin
   *     clients on the HTTPS port, or empty
   * @param https the HTTPS listener ({@code apiServer.https}), or empty
   */
  public record Settings(
      boolean enabled, boolean localhostIsAdmin, boolean tokens, Optional<Path> clientCertsDir, Optional<InetSocketAddress> https) {}

  private final Settings settings;
  private final Supplier<CpTls> tls;
  private final TokenEndpoints endpoints;
  private final UserTokens userTokens;

  /**
   * @param tls the identity of the HTTPS port (read when the server starts)
   */
  public ApiSecurity(
      Settings settings, Supplier<CpTls> tls, io.meshlite.cp.tokens.DataplaneTokens dataplaneTokens, UserTokens userTokens) {
    this.settings = settings;
    this.tls = tls;
    this.userTokens = userTokens;
    this.endpoints = dataplaneTokens == null ? null : new TokenEndpoints(dataplaneTokens, userTokens);
  }

  /** No authentication, no HTTPS, no token endpoints. */
  public static ApiSecurity open() {
    return new ApiSecurity(new Settings(false, true, false, Optional.empty(), Optional.empty()), null, null, null);
  }

  /** Whether an HTTPS port is served. */
  public boolean servesHttps() {
    return settings.https().isPresent() && tls != null;
  }

  /**
   * Adds the HTTPS port, the token and identity routes and the authorization decorator. Call before
   * the catch-all API service is added.
   *
   * @param basePath the API base path ({@code apiServer.basePath})
   */
  public void configure(ServerBuilder sb, String basePath) {
    String base = basePath.endsWith("/") ? basePath : basePath + "/";
    if (servesHttps()) {
      CpTls t = tls.get();
      sb.port(settings.https().get(), SessionProtocol.HTTPS).tls(TlsKeyPair.of(t.key(), t.chain()));
      List<X509Certificate> admins = clientCertificates();
      if (!admins.isEmpty()) {
        sb.tlsCustomizer(ssl -> ssl.clientAuth(ClientAuth.OPTIONAL).trustManager(admins));
      }
    }
    if (!settings.enabled()) {
      return;
    }
    if (endpoints != null) {
      sb.service(base + "tokens/dataplane", blocking((ctx, agg) -> reply(endpoints.dataplane(agg.content().array(), caller(ctx)))));
      sb.service(base + "tokens/user", blocking((ctx, agg) -> reply(endpoints.user(agg.content().array(), caller(ctx)))));
    }
    sb.service(base + "who-am-i", (ctx, req) -> whoAmI(caller(ctx)));
    if (tls != null) {
      sb.service(
          base + "tls/ca.pem",
          (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-pem-file"), tls.get().caPem()));
    }
    sb.decorator((delegate, ctx, req) -> authorize(delegate, ctx, req, base));
  }

  // ---------------------------------------------------------------- authentication

  private HttpResponse authorize(HttpService delegate, ServiceRequestContext ctx, HttpRequest req, String base)
      throws Exception {
    String path = ctx.path();
    String rel = path.startsWith(base) ? path.substring(base.length() - 1) : path;
    Optional<Caller> known = withoutToken(ctx);
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
    if (known.isPresent() || auth.isEmpty() || !settings.tokens()) {
      return decide(delegate, ctx, req, rel, known.orElse(Caller.anonymous()));
    }
    // Token checks read the store: keep them off the event loop.
    return HttpResponse.of(
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return decide(delegate, ctx, req, rel, bearer(auth));
              } catch (TokenRejected e) {
                log.info("API request refused path={} remote={} reason=\"{}\"", path, remote(ctx), e.getMessage());
                return error(401, "Unauthenticated", "Invalid authentication data: " + e.getMessage());
              } catch (Exception e) {
                return HttpResponse.ofFailure(e);
              }
            },
            ctx.blockingTaskExecutor()));
  }

  private HttpResponse decide(HttpService delegate, ServiceRequestContext ctx, HttpRequest req, String rel, Caller caller)
      throws Exception {
    ctx.setAttr(CALLER, caller);
    if (AdminRoutes.adminOnly(rel) && !caller.admin()) {
      if (!caller.authenticated()) {
        log.info("API request refused path={} remote={} reason=\"not authenticated\"", ctx.path(), remote(ctx));
        return error(
            401,
            "Unauthenticated",
            "authentication required: " + ctx.method() + " " + ctx.path() + " is for admins only (send Authorization:"
                + " Bearer <admin user token>, use a client certificate on the HTTPS port, or call from localhost)");
      }
      log.info("API request refused path={} user={} reason=\"not an admin\"", ctx.path(), caller.name());
      return error(
          403, "Access Denied", "user \"" + caller.name() + "\" cannot " + ctx.method() + " " + ctx.path() + ": admins only");
    }
    return delegate.serve(ctx, req);
  }

  /** The caller known without a token: localhost or a verified client certificate. */
  private Optional<Caller> withoutToken(ServiceRequestContext ctx) {
    if (settings.localhostIsAdmin() && localhost(ctx.remoteAddress().getAddress())) {
      return Optional.of(Caller.admin("localhost"));
    }
    SSLSession session = ctx.sslSession();
    if (session != null) {
      try {
        Certificate[] peer = session.getPeerCertificates();
        if (peer.length > 0) {
          return Optional.of(Caller.admin("client-certificate"));
        }
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate
      }
    }
    return Optional.empty();
  }

  private Caller bearer(String header) {
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new TokenRejected("the Authorization header is not \"Bearer <token>\"");
    }
    return Caller.user(userTokens.authenticate(header.substring(7).strip()));
  }

  /** Kuma's localhost: exactly 127.0.0.1 or ::1 (other loopback addresses are not "local"). */
  static boolean localhost(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress().equals("127.0.0.1");
    }
    return a.isLoopbackAddress();
  }

  private static Caller caller(ServiceRequestContext ctx) {
    Caller c = ctx.attr(CALLER);
    return c == null ? Caller.anonymous() : c;
  }

  private static String remote(ServiceRequestContext ctx) {
    return ctx.remoteAddress().getAddress().getHostAddress();
  }

  // ---------------------------------------------------------------- replies

  /** A service that aggregates the body and runs on the blocking executor. */
  private static HttpService blocking(java.util.function.BiFunction<ServiceRequestContext, AggregatedHttpRequest, HttpResponse> f) {
    return (ctx, req) -> {
      if (!ctx.method().name().equals("POST")) {
        return error(405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path() + " (allowed: POST)");
      }
      return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> f.apply(ctx, agg), ctx.blockingTaskExecutor()));
    };
  }

  private static HttpResponse reply(TokenEndpoints.Reply r) {
    return HttpResponse.of(HttpStatus.valueOf(r.status()), MediaType.parse(r.contentType()), r.body());
  }

  private static HttpResponse whoAmI(Caller c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", c.name());
    body.put("groups", c.groups());
    try {
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, Json.mapper().writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse error(int status, String title, String detail) {
    return reply(TokenEndpoints.Reply.error(status, title, detail, List.of()));
  }

  // ---------------------------------------------------------------- client certificates

  private List<X509Certificate> clientCertificates() {
    if (settings.clientCertsDir().isEmpty()) {
      return List.of();
    }
    Path dir = settings.clientCertsDir().get();
    List<X509Certificate> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        try {
          out.addAll(Pem.parseCertificates(Files.readString(f, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException | IOException e) {
          log.debug("not a certificate, skipped file={}", f);
        }
      }
    } catch (IOException e) {
      throw new ConfigException(
          "apiServer.auth.clientCertsDir (KUMA_API_SERVER_AUTH_CLIENT_CERTS_DIR): cannot read " + dir + " (" + e.getMessage() + ")");
    }
    if (out.isEmpty()) {
      log.warn("apiServer.auth.clientCertsDir={} holds no PEM certificate: no client is admitted by certificate", dir);
    } else {
      log.info("API HTTPS admits admin clients with certificates from {} count={}", dir, out.size());
    }
    return out;
  }
}
