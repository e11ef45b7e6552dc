package io.meshlite.cp.dpserver;

import com.google.common.net.InetAddresses;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violations;
import io.meshlite.cp.dpserver.lifecycle.SidecarMetrics;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.tokens.dp.DpSecurity;
import io.meshlite.cp.xds.envoy.ProtoJson;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /bootstrap}: answers kuma-dp with the Envoy bootstrap of its Dataplane. Status codes
 * follow Kuma so kuma-dp's retry logic works unchanged (kuma-dp-spec §2.4): 400 with an empty body
 * for unparseable JSON, 404 with an empty body while the Mesh or Dataplane does not exist (kuma-dp
 * retries), 422 with a message for an invalid request (fatal), 503/500 for server trouble
 * (retried). Free of HTTP-library types so it is tested directly.
 */
final class BootstrapHandler {
  private static final Logger log = LoggerFactory.getLogger(BootstrapHandler.class);

  /** A reply: status, content type and body (possibly empty). */
  record Reply(int status, String contentType, byte[] body) {
    static Reply empty(int status) {
      return new Reply(status, "text/plain; charset=utf-8", new byte[0]);
    }

    static Reply text(int status, String message) {
      return new Reply(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final ResourceStore store;
  private final DpServerConfig config;
  private final IntSupplier serverPort;
  private final BootstrapGenerator generator;
  private final DpSecurity security;

  /**
   * @param serverPort this server's bound port, the ADS port unless the config overrides it
   */
  BootstrapHandler(ResourceStore store, DpServerConfig config, IntSupplier serverPort) {
    this(store, config, serverPort, DpSecurity.insecure());
  }

  /**
   * @param security checks the dataplane token and adds the TLS parts to the bootstrap
   */
  BootstrapHandler(ResourceStore store, DpServerConfig config, IntSupplier serverPort, DpSecurity security) {
    this.security = security;
    this.store = store;
    this.config = config;
    this.serverPort = serverPort;
    this.generator = new BootstrapGenerator(config.adminAccessLogPath(), config.xdsConnectTimeout());
  }

  /**
   * @param body the request body
   * @param authority the request's Host ({@code host[:port]})
   * @param wantsJson whether the client accepts {@code application/json}
   */
  Reply handle(byte[] body, String authority, boolean wantsJson) {
    BootstrapRequest req;
    try {
      req = Json.mapper().readValue(body, BootstrapRequest.class);
    } catch (IOException | RuntimeException e) {
      return Reply.empty(400);
    }
    if (req == null) {
      return Reply.empty(400);
    }
    try {
      return bootstrap(req, authority, wantsJson);
    } catch (DpSecurity.Refused e) {
      return Reply.text(e.status(), e.getMessage());
    } catch (ValidationException e) {
      log.info("bootstrap request rejected mesh={} dp={} error={}", req.mesh(), req.name(), e.getMessage());
      return Reply.text(422, e.getMessage());
    } catch (StoreException.Unavailable e) {
      log.warn("bootstrap failed: store unavailable mesh={} dp={} error={}", req.mesh(), req.name(), e.getMessage());
      return Reply.text(503, "store unavailable: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("bootstrap failed mesh={} dp={}", req.mesh(), req.name(), e);
      return Reply.text(500, "could not generate the bootstrap: " + e);
    }
  }

  private Reply bootstrap(BootstrapRequest req, String authority, boolean wantsJson) {
    Violations v = new Violations();
    if (req.mesh() == null || req.mesh().isEmpty()) {
      v.add("mesh", "cannot be empty");
    }
    if (req.name() == null || req.name().isEmpty()) {
      v.add("name", "cannot be empty");
    }
    String proxyType = req.proxyType() == null || req.proxyType().isEmpty() ? "dataplane" : req.proxyType();
    if (!proxyType.equals("dataplane")) {
      v.add("proxyType", "\"" + proxyType + "\" is not supported yet (expected: dataplane)");
    }
    v.throwIfAny("Invalid bootstrap request");
    security.checkBootstrap(req);

    Optional<DataplaneSpec> dataplane =
        req.dataplaneResource() == null || req.dataplaneResource().isBlank()
            ? stored(req.mesh(), req.name())
            : Optional.of(inline(req));
    if (dataplane.isEmpty()) {
      log.debug("bootstrap for unknown dataplane mesh={} dp={}", req.mesh(), req.name());
      return Reply.empty(404);
    }
    DataplaneSpec dp = dataplane.get();
    int fallbackAdminPort =
        req.adminPort() != null && req.adminPort() > 0 ? req.adminPort() : config.adminPort();
    int adminPort = dp.adminPort(fallbackAdminPort);
    String xdsHost = config.xdsHost().isEmpty() ? hostOf(authority) : config.xdsHost();
    int xdsPort = config.xdsPort() > 0 ? config.xdsPort() : serverPort.getAsInt();
    BootstrapGenerator.XdsServer xds = new BootstrapGenerator.XdsServer(xdsHost, xdsPort, ipv4Only(xdsHost));
    byte[] bootstrap =
        ProtoJson.print(security.secureBootstrap(generator.generate(req, dp, adminPort, xds), req, xdsHost, xdsPort))
            .getBytes(StandardCharsets.UTF_8);
    log.info(
        "bootstrap served mesh={} dp={} adminPort={} xds={}:{}", req.mesh(), req.name(), adminPort, xdsHost, xdsPort);
    if (!wantsJson) {
      return new Reply(200, "text/x-yaml", bootstrap); // JSON is YAML
    }
    BootstrapResponse response =
        new BootstrapResponse(
            bootstrap,
            new BootstrapResponse.KumaSidecarConfiguration(
                new BootstrapResponse.Networking(dp.networking().address()),
                new BootstrapResponse.Metrics(SidecarMetrics.forBootstrap(store, req))));
    try {
      return new Reply(200, "application/json", Json.mapper().writeValueAsBytes(response));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Dataplane stored beforehand (its Mesh must exist too); empty while either is missing. */
  private Optional<DataplaneSpec> stored(String mesh, String name) {
    if (store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh)).isEmpty()) {
      return Optional.empty();
    }
    return store.get(ResourceKey.of(ResourceTypes.DATAPLANE, mesh, name)).map(r -> DataplaneSpec.parse(r.spec()));
  }

  /**
   * A Dataplane sent by kuma-dp for self-registration: parsed and validated; its Mesh must exist.
   * It travels on in the node metadata {@code dataplane.resource}; {@link
   * io.meshlite.cp.dpserver.lifecycle.DataplaneLifecycle} registers it when the proxy connects.
   */
  private DataplaneSpec inline(BootstrapRequest req) {
    Resource r;
    try {
      r = ResourceCodec.parse(req.dataplaneResource());
    } catch (ValidationException e) {
      throw new ValidationException("dataplaneResource is not valid", e.violations());
    }
    Violations v = new Violations();
    if (r.type() != ResourceTypes.DATAPLANE) {
      v.add("dataplaneResource.type", "\"" + r.type().name() + "\" is not valid (expected: Dataplane)");
    }
    if (!r.mesh().equals(req.mesh())) {
      v.add("dataplaneResource.mesh", "\"" + r.mesh() + "\" does not match the request's mesh \"" + req.mesh() + "\"");
    }
    if (!r.name().equals(req.name())) {
      v.add("dataplaneResource.name", "\"" + r.name() + "\" does not match the request's name \"" + req.name() + "\"");
    }
    v.throwIfAny("dataplaneResource is not valid");
    DataplaneSpec spec;
    try {
      spec = DataplaneSpec.parse(r.spec());
    } catch (ValidationException e) {
      throw new ValidationException("dataplaneResource is not valid", e.violations());
    }
    if (store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", req.mesh())).isEmpty()) {
      throw ValidationException.of("mesh", "mesh \"" + req.mesh() + "\" does not exist");
    }
    return spec;
  }

  /** The host part of {@code host[:port]}, {@code [v6]:port} or a bare IPv6 address. */
  static String hostOf(String authority) {
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end > 0 ? authority.substring(1, end) : authority;
    }
    int colon = authority.indexOf(':');
    if (colon >= 0 && authority.indexOf(':', colon + 1) < 0) {
      return authority.substring(0, colon);
    }
    return authority;
  }

  /** True if a host name resolves to IPv4 addresses only (Envoy then looks up V4 only, as Kuma). */
  private static boolean ipv4Only(String host) {
    if (InetAddresses.isInetAddress(host)) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      return all.length > 0 && Arrays.stream(all).allMatch(a -> a instanceof Inet4Address);
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
