package io.meshlite.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshlite.agent.support.KeytoolCert;
import io.meshlite.api.bootstrap.BootstrapJson;
import io.meshlite.api.bootstrap.BootstrapResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The stub control plane of {@code kuma-dp aot-train}, run by {@link AotTraining} in a JVM of its
 * own: with AOT class linking every class the training JVM loads is loaded again at every kuma-dp
 * start, and a stub in the same JVM put ≈ 475 classes no agent uses (the JDK's HTTP server, the
 * server side of TLS, PKCS#12 key stores) into the cache.
 *
 * <p>Arguments: the work directory and Envoy's admin port. It serves {@code /bootstrap} and an
 * application's {@code /metrics} over plain HTTP, and {@code /bootstrap} over TLS with a fresh
 * self-signed certificate for 127.0.0.1 made by keytool (none when keytool fails: then the training
 * goes over plain HTTP). It prints one line, {@code plain=<port> tls=<port or 0> pem=<CA file or
 * ->}, and serves until its standard input closes.
 */
public final class AotTrainingStub {
  private AotTrainingStub() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path work = Path.of(args[0]);
    int admin = Integer.parseInt(args[1]);
    HttpServer plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    int plainPort = plain.getAddress().getPort();
    String bootstrap = bootstrapResponse(admin, plainPort);
    plain.createContext("/bootstrap", ex -> answer(ex, 200, "application/json", bootstrap));
    plain.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4", "training_app_up 1\n"));
    plain.createContext("/", ex -> answer(ex, 404, "text/plain", ""));
    plain.start();
    HttpsServer tls = null;
    String pem = "-";
    try {
      KeytoolCert cert = KeytoolCert.create(work, "aot-tls", "CN=127.0.0.1", "san=ip:127.0.0.1");
      tls = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      tls.setHttpsConfigurator(new HttpsConfigurator(cert.server()));
      tls.createContext("/bootstrap", ex -> answer(ex, 200, "application/json", bootstrap));
      tls.createContext("/", ex -> answer(ex, 404, "text/plain", ""));
      tls.start();
      pem = cert.pem().toString();
    } catch (IOException | GeneralSecurityException e) {
      System.err.println("aot-train: no TLS certificate (" + e.getMessage() + "), training with plain HTTP");
    }
    System.out.println("plain=" + plainPort + " tls=" + (tls == null ? 0 : tls.getAddress().getPort()) + " pem=" + pem);
    System.out.flush();
    while (System.in.read() >= 0) {
      // serve until the training run closes our standard input (or ends)
    }
    plain.stop(0);
    if (tls != null) {
      tls.stop(0);
    }
  }

  private static String bootstrapResponse(int adminPort, int metricsPort) throws IOException {
    // JSON, as kuma-cp writes it (the agent reads a YAML bootstrap only from Kuma's own control plane)
    String bootstrap = """
        {"node": {"id": "default.aot-training", "cluster": "training"},
         "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": %d}}}}
        """.formatted(adminPort);
    BootstrapResponse r = new BootstrapResponse(
        bootstrap.getBytes(StandardCharsets.UTF_8),
        new BootstrapResponse.KumaSidecarConfiguration(
            new BootstrapResponse.Networking("127.0.0.1"),
            new BootstrapResponse.Metrics(List.of(new BootstrapResponse.Aggregate(
                "app", "127.0.0.1", metricsPort, "/metrics")))));
    return new String(BootstrapJson.response(r), StandardCharsets.UTF_8);
  }

  private static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", type);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }
}
