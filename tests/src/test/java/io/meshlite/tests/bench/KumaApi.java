package io.meshlite.tests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The few kuma-cp REST and diagnostics calls the harness makes. Thread-safe. */
final class KumaApi {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final String apiUrl;
  private final String diagnosticsUrl;

  /**
   * @param apiUrl e.g. {@code http://127.0.0.1:5681}
   * @param diagnosticsUrl e.g. {@code http://127.0.0.1:5680}, or null when unknown
   */
  KumaApi(String apiUrl, String diagnosticsUrl) {
    this.apiUrl = strip(apiUrl);
    this.diagnosticsUrl = diagnosticsUrl == null ? null : strip(diagnosticsUrl);
  }

  /** Creates or updates a Mesh with an empty spec. */
  void putMesh(String name) {
    put("/meshes/" + name, "{\"type\":\"Mesh\",\"name\":\"" + name + "\"}");
  }

  /** Creates or updates a Mesh with builtin mTLS enabled (backend {@code ca-1}). */
  void putMeshWithBuiltinMtls(String name) {
    put(
        "/meshes/" + name,
        "{\"type\":\"Mesh\",\"name\":\"" + name + "\",\"mtls\":{\"enabledBackend\":\"ca-1\","
            + "\"backends\":[{\"name\":\"ca-1\",\"type\":\"builtin\"}]}}");
  }

  /** Creates or updates a MeshTrafficPermission with this {@code spec} (JSON). */
  void putMeshTrafficPermission(String mesh, String name, String specJson) {
    put(
        "/meshes/" + mesh + "/meshtrafficpermissions/" + name,
        "{\"type\":\"MeshTrafficPermission\",\"mesh\":\"" + mesh + "\",\"name\":\"" + name + "\",\"spec\":"
            + specJson + "}");
  }

  /** Creates or updates a Dataplane; fails unless the API answers 200 or 201. */
  void putDataplane(String mesh, String name, JsonNode body) {
    put("/meshes/" + mesh + "/dataplanes/" + name, body.toString());
  }

  private void put(String path, String body) {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(apiUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> resp = send(r);
    if (resp.statusCode() != 200 && resp.statusCode() != 201) {
      throw new IllegalStateException("PUT " + path + ": HTTP " + resp.statusCode() + " " + resp.body());
    }
  }

  void deleteDataplane(String mesh, String name) {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(apiUrl + "/meshes/" + mesh + "/dataplanes/" + name))
            .timeout(Duration.ofSeconds(30))
            .DELETE()
            .build();
    HttpResponse<String> resp = send(r);
    if (resp.statusCode() != 200) {
      throw new IllegalStateException("DELETE dataplane " + name + ": HTTP " + resp.statusCode() + " " + resp.body());
    }
  }

  /**
   * The {@code xds_*} gauges and counters of {@code /metrics} (empty when the diagnostics URL is
   * unknown or the CP does not export them).
   */
  Map<String, Double> xdsMetrics() {
    Map<String, Double> out = new LinkedHashMap<>();
    if (diagnosticsUrl == null) {
      return out;
    }
    try {
      HttpResponse<String> resp =
          client.send(
              HttpRequest.newBuilder(URI.create(diagnosticsUrl + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      for (String line : resp.body().split("\n")) {
        if (line.startsWith("xds_")) {
          int sp = line.lastIndexOf(' ');
          out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
      }
    } catch (IOException | RuntimeException e) {
      // figures from /metrics are extras: leave them out
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private HttpResponse<String> send(HttpRequest r) {
    try {
      return client.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(r.method() + " " + r.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
