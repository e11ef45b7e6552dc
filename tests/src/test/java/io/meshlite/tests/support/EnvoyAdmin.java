package io.meshlite.tests.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/** Reads what a real Envoy reports on its admin port. */
public record EnvoyAdmin(int port) {

  public boolean ready() {
    Http.Response r = Http.get(url("/ready"));
    return r.status() == 200 && r.body().strip().equals("LIVE");
  }

  /** A counter or gauge from {@code /stats}, empty when Envoy does not report it. */
  public OptionalLong stat(String name) {
    String regex = "^" + name.replace(".", "\\.") + "$";
    Http.Response r =
        Http.get(url("/stats?filter=" + URLEncoder.encode(regex, StandardCharsets.UTF_8)));
    if (r.status() != 200) {
      return OptionalLong.empty();
    }
    for (String line : r.body().split("\n")) {
      int i = line.indexOf(": ");
      if (i > 0 && line.substring(0, i).equals(name)) {
        return OptionalLong.of(Long.parseLong(line.substring(i + 2).strip()));
      }
    }
    return OptionalLong.empty();
  }

  /** Endpoints ({@code host:port}) of a cluster whose health flags say healthy. */
  public List<String> healthyEndpoints(String cluster) {
    Http.Response r = Http.get(url("/clusters"));
    if (r.status() != 200) {
      return List.of();
    }
    String prefix = cluster + "::";
    return r.body()
        .lines()
        .filter(l -> l.startsWith(prefix) && l.contains("::health_flags::healthy"))
        .map(l -> l.substring(prefix.length(), l.indexOf("::health_flags")))
        .toList();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }
}
