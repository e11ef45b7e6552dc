package io.meshlite.agent.dns;

import io.meshlite.api.json.JsonText;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body Kuma's control plane serves at {@code GET /dns} on the dynamic-config listener
 * (kuma-dp-spec §6.2):
 *
 * <pre>{@code
 * {"records":[{"name":"backend.mesh","ips":["240.0.0.1","::ffff:f000:1"]}],
 *  "ttl":30, "extraLabels":{"mesh":"default"}}
 * }</pre>
 *
 * @param table the names to answer locally
 * @param extraLabels labels Kuma adds to the DNS proxy's metrics
 * @param skipped one message per record or address that was left out (Kuma logs a warning for an
 *     address that does not parse and keeps the rest of the record)
 */
public record DnsProxyConfig(
    DnsTable table, Map<String, String> extraLabels, List<String> skipped) {

  public DnsProxyConfig {
    extraLabels = Map.copyOf(extraLabels);
    skipped = List.copyOf(skipped);
  }

  /** Parses a UTF-8 body. */
  public static DnsProxyConfig parse(byte[] body) {
    return parse(new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Parses a body.
   *
   * @throws IllegalArgumentException if it is not JSON or a field has the wrong type; the message
   *     lists every such problem
   */
  public static DnsProxyConfig parse(String body) {
    Object root;
    try {
      root = JsonText.parse(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "dns config: not JSON (expected: {\"records\":[...],\"ttl\":N}): " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> doc)) {
      throw new IllegalArgumentException("dns config: " + kind(root) + " (expected: an object)");
    }
    List<String> errors = new ArrayList<>();
    List<String> skipped = new ArrayList<>();

    long ttl = 0;
    Object ttlNode = doc.get("ttl");
    if (ttlNode != null) {
      Long exact = integral(ttlNode);
      if (exact == null || exact < 0 || exact > DnsTable.MAX_TTL_SECONDS) {
        errors.add("ttl: " + JsonText.write(ttlNode) + " (expected: 0.." + DnsTable.MAX_TTL_SECONDS + " seconds)");
      } else {
        ttl = exact;
      }
    }

    Map<String, String> labels = new LinkedHashMap<>();
    Object labelsNode = doc.get("extraLabels");
    if (labelsNode != null) {
      if (!(labelsNode instanceof Map<?, ?> m)) {
        errors.add("extraLabels: " + kind(labelsNode) + " (expected: an object of strings)");
      } else {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (e.getValue() instanceof String v) {
            labels.put((String) e.getKey(), v);
          } else {
            errors.add("extraLabels." + e.getKey() + ": " + kind(e.getValue()) + " (expected: a string)");
          }
        }
      }
    }

    DnsTable.Builder table = errors.isEmpty() ? DnsTable.builder(ttl) : DnsTable.builder(0);
    Object records = doc.get("records");
    if (records != null) {
      if (!(records instanceof List<?> list)) {
        errors.add("records: " + kind(records) + " (expected: an array)");
      } else {
        for (int i = 0; i < list.size(); i++) {
          addRecord(table, "records[" + i + "]", list.get(i), errors, skipped);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("dns config: " + String.join("; ", errors));
    }
    return new DnsProxyConfig(table.build(), labels, skipped);
  }

  private static void addRecord(
      DnsTable.Builder table,
      String path,
      Object rec,
      List<String> errors,
      List<String> skipped) {
    if (!(rec instanceof Map<?, ?> m)) {
      errors.add(path + ": " + kind(rec) + " (expected: {\"name\":...,\"ips\":[...]})");
      return;
    }
    if (!(m.get("name") instanceof String name)) {
      errors.add(path + ".name: " + (m.containsKey("name") ? kind(m.get("name")) : "missing") + " (expected: a string)");
      return;
    }
    List<String> ips = new ArrayList<>();
    Object ipsNode = m.get("ips");
    if (ipsNode != null) {
      if (!(ipsNode instanceof List<?> list)) {
        errors.add(path + ".ips: " + kind(ipsNode) + " (expected: an array of strings)");
        return;
      }
      for (int j = 0; j < list.size(); j++) {
        if (!(list.get(j) instanceof String ip)) {
          errors.add(path + ".ips[" + j + "]: " + kind(list.get(j)) + " (expected: a string)");
          continue;
        }
        try {
          DnsTable.parseIp(ip);
          ips.add(ip);
        } catch (IllegalArgumentException e) {
          skipped.add(path + ".ips[" + j + "]: " + e.getMessage());
        }
      }
    }
    try {
      table.add(name, ips);
    } catch (IllegalArgumentException e) {
      skipped.add(path + ".name: " + e.getMessage());
    }
  }

  /** A whole number (30, or 30.0 as JSON may write it), or null. */
  private static Long integral(Object n) {
    if (n instanceof Long l) {
      return l;
    }
    if (n instanceof BigDecimal d) {
      try {
        return d.stripTrailingZeros().longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  private static String kind(Object n) {
    return n instanceof String s ? "'" + s + "'" : JsonText.kind(n);
  }
}
