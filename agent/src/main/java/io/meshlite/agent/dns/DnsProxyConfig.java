package io.meshlite.agent.dns;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "dns config: not JSON (expected: {\"records\":[...],\"ttl\":N}): "
              + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("dns config: " + kind(root) + " (expected: an object)");
    }
    List<String> errors = new ArrayList<>();
    List<String> skipped = new ArrayList<>();

    long ttl = 0;
    JsonNode ttlNode = root.get("ttl");
    if (ttlNode != null && !ttlNode.isNull()) {
      if (!ttlNode.canConvertToExactIntegral()
          || !ttlNode.canConvertToLong()
          || ttlNode.asLong() < 0
          || ttlNode.asLong() > DnsTable.MAX_TTL_SECONDS) {
        errors.add("ttl: " + ttlNode + " (expected: 0.." + DnsTable.MAX_TTL_SECONDS + " seconds)");
      } else {
        ttl = ttlNode.asLong();
      }
    }

    Map<String, String> labels = new LinkedHashMap<>();
    JsonNode labelsNode = root.get("extraLabels");
    if (labelsNode != null && !labelsNode.isNull()) {
      if (!labelsNode.isObject()) {
        errors.add("extraLabels: " + kind(labelsNode) + " (expected: an object of strings)");
      } else {
        for (Map.Entry<String, JsonNode> e : labelsNode.properties()) {
          if (e.getValue().isTextual()) {
            labels.put(e.getKey(), e.getValue().asText());
          } else {
            errors.add(
                "extraLabels." + e.getKey() + ": " + kind(e.getValue()) + " (expected: a string)");
          }
        }
      }
    }

    DnsTable.Builder table = errors.isEmpty() ? DnsTable.builder(ttl) : DnsTable.builder(0);
    JsonNode records = root.get("records");
    if (records != null && !records.isNull()) {
      if (!records.isArray()) {
        errors.add("records: " + kind(records) + " (expected: an array)");
      } else {
        for (int i = 0; i < records.size(); i++) {
          addRecord(table, "records[" + i + "]", records.get(i), errors, skipped);
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
      JsonNode rec,
      List<String> errors,
      List<String> skipped) {
    if (!rec.isObject()) {
      errors.add(path + ": " + kind(rec) + " (expected: {\"name\":...,\"ips\":[...]})");
      return;
    }
    JsonNode name = rec.get("name");
    if (name == null || !name.isTextual()) {
      errors.add(path + ".name: " + kind(name) + " (expected: a string)");
      return;
    }
    List<String> ips = new ArrayList<>();
    JsonNode ipsNode = rec.get("ips");
    if (ipsNode != null && !ipsNode.isNull()) {
      if (!ipsNode.isArray()) {
        errors.add(path + ".ips: " + kind(ipsNode) + " (expected: an array of strings)");
        return;
      }
      for (int j = 0; j < ipsNode.size(); j++) {
        JsonNode ip = ipsNode.get(j);
        if (!ip.isTextual()) {
          errors.add(path + ".ips[" + j + "]: " + kind(ip) + " (expected: a string)");
          continue;
        }
        try {
          DnsTable.parseIp(ip.asText());
          ips.add(ip.asText());
        } catch (IllegalArgumentException e) {
          skipped.add(path + ".ips[" + j + "]: " + e.getMessage());
        }
      }
    }
    try {
      table.add(name.asText(), ips);
    } catch (IllegalArgumentException e) {
      skipped.add(path + ".name: " + e.getMessage());
    }
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    return n.isTextual()
        ? "'" + n.asText() + "'"
        : n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }
}
