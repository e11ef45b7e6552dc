package io.meshlite.api.bootstrap;

import io.meshlite.api.json.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire form of {@link BootstrapRequest} and {@link BootstrapResponse} without Jackson, for
 * kuma-dp (kuma-cp keeps its Jackson mapper; {@code BootstrapJsonTest} holds the two to the same
 * documents). The request leaves out its null fields, as {@code @JsonInclude(NON_NULL)} does; the
 * answer's unknown fields are ignored, as kuma-cp's mapper ignores them.
 */
public final class BootstrapJson {
  private BootstrapJson() {}

  /** The request body kuma-dp posts. */
  public static byte[] request(BootstrapRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "mesh", r.mesh());
    put(m, "name", r.name());
    put(m, "proxyType", r.proxyType());
    put(m, "dataplaneToken", r.dataplaneToken());
    put(m, "dataplaneTokenPath", r.dataplaneTokenPath());
    put(m, "dataplaneResource", r.dataplaneResource());
    if (r.version() != null) {
      Map<String, Object> v = new LinkedHashMap<>();
      BootstrapRequest.KumaDp dp = r.version().kumaDp();
      v.put("kumaDp", dp == null ? null : fields(
          "version", dp.version(), "gitTag", dp.gitTag(), "gitCommit", dp.gitCommit(), "buildDate", dp.buildDate()));
      BootstrapRequest.Envoy e = r.version().envoy();
      v.put("envoy", e == null ? null : fields(
          "version", e.version(), "build", e.build(), "kumaDpCompatible", e.kumaDpCompatible()));
      m.put("version", v);
    }
    put(m, "caCert", r.caCert());
    put(m, "dynamicMetadata", r.dynamicMetadata());
    put(m, "dnsPort", r.dnsPort());
    put(m, "readinessPort", r.readinessPort());
    put(m, "appProbeProxyDisabled", r.appProbeProxyDisabled());
    put(m, "operatingSystem", r.operatingSystem());
    put(m, "features", r.features());
    if (r.resources() != null) {
      m.put("resources", fields("maxHeapSizeBytes", r.resources().maxHeapSizeBytes()));
    }
    put(m, "workdir", r.workdir());
    if (r.metricsResources() != null) {
      m.put("metricsResources", fields(
          "certPath", r.metricsResources().certPath(), "keyPath", r.metricsResources().keyPath()));
    }
    put(m, "systemCaPath", r.systemCaPath());
    put(m, "ipv6Enabled", r.ipv6Enabled());
    put(m, "adminPort", r.adminPort());
    return JsonText.write(m).getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON answer kuma-cp gives with {@code Accept: application/json}. */
  public static byte[] response(BootstrapResponse r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bootstrap", r.bootstrap());
    BootstrapResponse.KumaSidecarConfiguration k = r.kumaSidecarConfiguration();
    if (k == null) {
      m.put("kumaSidecarConfiguration", null);
    } else {
      Map<String, Object> km = new LinkedHashMap<>();
      if (k.networking() != null) {
        km.put("networking", fields("address", k.networking().address()));
      }
      if (k.metrics() != null) {
        List<Object> list = null;
        if (k.metrics().aggregate() != null) {
          list = new ArrayList<>();
          for (BootstrapResponse.Aggregate a : k.metrics().aggregate()) {
            list.add(fields("name", a.name(), "address", a.address(), "port", a.port(), "path", a.path()));
          }
        }
        km.put("metrics", fields("aggregate", list));
      }
      m.put("kumaSidecarConfiguration", km);
    }
    return JsonText.write(m).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads kuma-cp's JSON answer.
   *
   * @throws IllegalArgumentException when it is not JSON or a field has the wrong kind
   */
  public static BootstrapResponse parseResponse(byte[] body) {
    Map<String, Object> root = JsonText.parseObject(new String(body, StandardCharsets.UTF_8));
    byte[] bootstrap = null;
    Object b = root.get("bootstrap");
    if (b != null) {
      try {
        bootstrap = Base64.getDecoder().decode(string(b, "bootstrap"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bootstrap: not base64 (" + e.getMessage() + ")");
      }
    }
    Map<String, Object> k = object(root.get("kumaSidecarConfiguration"), "kumaSidecarConfiguration");
    if (k == null) {
      return new BootstrapResponse(bootstrap, null);
    }
    Map<String, Object> net = object(k.get("networking"), "kumaSidecarConfiguration.networking");
    BootstrapResponse.Networking networking =
        net == null ? null : new BootstrapResponse.Networking(
            string(net.get("address"), "kumaSidecarConfiguration.networking.address"));
    Map<String, Object> met = object(k.get("metrics"), "kumaSidecarConfiguration.metrics");
    BootstrapResponse.Metrics metrics = null;
    if (met != null) {
      String path = "kumaSidecarConfiguration.metrics.aggregate";
      Object agg = met.get("aggregate");
      List<BootstrapResponse.Aggregate> list = null;
      if (agg != null) {
        if (!(agg instanceof List<?> items)) {
          throw new IllegalArgumentException(path + ": expected an array, found " + JsonText.kind(agg));
        }
        list = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          String at = path + "[" + i + "]";
          Map<String, Object> a = object(items.get(i), at);
          if (a == null) {
            list.add(null);
            continue;
          }
          list.add(new BootstrapResponse.Aggregate(
              string(a.get("name"), at + ".name"),
              string(a.get("address"), at + ".address"),
              port(a.get("port"), at + ".port"),
              string(a.get("path"), at + ".path")));
        }
      }
      metrics = new BootstrapResponse.Metrics(list);
    }
    return new BootstrapResponse(bootstrap, new BootstrapResponse.KumaSidecarConfiguration(networking, metrics));
  }

  private static void put(Map<String, Object> m, String key, Object v) {
    if (v != null) {
      m.put(key, v);
    }
  }

  private static Map<String, Object> fields(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v, String path) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException(path + ": expected an object, found " + JsonText.kind(v));
    }
    return (Map<String, Object>) v;
  }

  private static String string(Object v, String path) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException(path + ": expected a string, found " + JsonText.kind(v));
  }

  private static int port(Object v, String path) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
      return l.intValue();
    }
    throw new IllegalArgumentException(path + ": expected an integer, found " + JsonText.kind(v));
  }
}
