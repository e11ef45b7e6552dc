package io.meshlite.iptables.config;

import io.meshlite.iptables.config.ConfigLayer.Setting;
import io.meshlite.iptables.config.TransparentProxyConfig.Dns;
import io.meshlite.iptables.config.TransparentProxyConfig.IpFamilyMode;
import io.meshlite.iptables.config.TransparentProxyConfig.TrafficFlow;
import io.meshlite.iptables.config.TransparentProxyConfig.VirtualNetwork;
import io.meshlite.iptables.rules.PortExclusion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link TransparentProxyConfig} from layers: Kuma's defaults, then each given layer in
 * order (config files, environment, flags), a later layer replacing a key's whole value. Every
 * invalid value is reported, not just the first.
 */
public final class ConfigLoader {
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
  private static final Set<String> EXECUTABLE_NAMES =
      Set.of(
          "iptables",
          "iptables-save",
          "iptables-restore",
          "ip6tables",
          "ip6tables-save",
          "ip6tables-restore");

  private ConfigLoader() {}

  /** Kuma's defaults (kuma-dp-spec §5.2). */
  public static ConfigLayer defaults() {
    ConfigLayer layer = new ConfigLayer("defaults");
    Object[][] values = {
      {ConfigKey.KUMA_DP_USER, ""},
      {ConfigKey.IP_FAMILY_MODE, "dualstack"},
      {ConfigKey.DROP_INVALID_PACKETS, false},
      {ConfigKey.STORE_FIREWALLD, false},
      {ConfigKey.VERBOSE, false},
      {ConfigKey.DRY_RUN, false},
      {ConfigKey.WAIT, 5},
      {ConfigKey.WAIT_INTERVAL, 0},
      {ConfigKey.CNI_MODE, false},
      {ConfigKey.IPTABLES_EXECUTABLES, Map.of()},
      {ConfigKey.COMMENTS_DISABLED, false},
      {ConfigKey.LOG_ENABLED, false},
      {ConfigKey.LOG_LEVEL, 7},
      {ConfigKey.RETRY_MAX_RETRIES, 4},
      {ConfigKey.RETRY_SLEEP_BETWEEN_RETRIES, "2s"},
      {ConfigKey.INBOUND_ENABLED, true},
      {ConfigKey.INBOUND_PORT, 15006},
      {ConfigKey.INBOUND_INCLUDE_PORTS, List.of()},
      {ConfigKey.INBOUND_EXCLUDE_PORTS, List.of()},
      {ConfigKey.INBOUND_EXCLUDE_PORTS_FOR_UIDS, List.of()},
      {ConfigKey.INBOUND_EXCLUDE_PORTS_FOR_IPS, List.of()},
      {ConfigKey.INBOUND_INSERT_REDIRECT, false},
      {ConfigKey.OUTBOUND_ENABLED, true},
      {ConfigKey.OUTBOUND_PORT, 15001},
      {ConfigKey.OUTBOUND_INCLUDE_PORTS, List.of()},
      {ConfigKey.OUTBOUND_EXCLUDE_PORTS, List.of()},
      {ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_UIDS, List.of()},
      {ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_IPS, List.of()},
      {ConfigKey.OUTBOUND_INSERT_REDIRECT, false},
      {ConfigKey.DNS_ENABLED, false},
      {ConfigKey.DNS_PORT, 15053},
      {ConfigKey.DNS_CAPTURE_ALL, false},
      {ConfigKey.DNS_SKIP_CONNTRACK_ZONE_SPLIT, false},
      {ConfigKey.DNS_RESOLV_CONFIG_PATH, "/etc/resolv.conf"},
      {ConfigKey.VNET_NETWORKS, List.of()},
      {ConfigKey.EBPF_ENABLED, false},
    };
    for (Object[] value : values) {
      ConfigKey key = (ConfigKey) value[0];
      layer.set(key, value[1], "default " + key.path());
    }
    return layer;
  }

  /** A layer from a YAML or JSON config file; unknown keys are errors. */
  public static ConfigLayer fromYaml(String text, String source) {
    Object document;
    try {
      document = MiniYaml.parse(text);
    } catch (MiniYaml.YamlException e) {
      throw new ConfigException(List.of(source + ": " + e.getMessage()));
    }
    ConfigLayer layer = new ConfigLayer(source);
    if (document == null) {
      return layer;
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException(List.of(source + ": expected a mapping at the top level"));
    }
    List<String> problems = new ArrayList<>();
    flatten(map, "", source, layer, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return layer;
  }

  /** A layer from {@code KUMA_TRANSPARENT_PROXY_*} variables. */
  public static ConfigLayer fromEnv(Map<String, String> env) {
    ConfigLayer layer = new ConfigLayer("environment");
    for (ConfigKey key : ConfigKey.values()) {
      String value = env.get(key.env());
      if (value != null) {
        layer.set(key, value, key.env());
      }
    }
    return layer;
  }

  /** Defaults overlaid with {@code layers} in order, converted and validated. */
  public static TransparentProxyConfig load(List<ConfigLayer> layers) {
    Map<ConfigKey, Setting> merged = new EnumMap<>(ConfigKey.class);
    merged.putAll(defaults().settings());
    for (ConfigLayer layer : layers) {
      merged.putAll(layer.settings());
    }
    return new Converter(merged).build();
  }

  private static void flatten(
      Map<?, ?> map, String prefix, String source, ConfigLayer layer, List<String> problems) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String path = prefix + entry.getKey();
      var key = ConfigKey.byPath(path);
      if (key.isPresent()) {
        layer.set(key.get(), entry.getValue(), source + ": " + path);
      } else if (path.startsWith("ebpf.")) {
        continue; // only ebpf.enabled matters: the eBPF engine is not supported
      } else if (ConfigKey.isSection(path) && entry.getValue() instanceof Map<?, ?> nested) {
        flatten(nested, path + ".", source, layer, problems);
      } else if (ConfigKey.isSection(path) && entry.getValue() == null) {
        continue;
      } else {
        problems.add(source + ": unknown key '" + path + "'");
      }
    }
  }

  /** Converts merged raw settings; collects every problem. */
  private static final class Converter {
    private final Map<ConfigKey, Setting> settings;
    private final List<String> problems = new ArrayList<>();

    Converter(Map<ConfigKey, Setting> settings) {
      this.settings = settings;
    }

    TransparentProxyConfig build() {
      TrafficFlow inbound =
          flow(
              ConfigKey.INBOUND_ENABLED,
              ConfigKey.INBOUND_PORT,
              ConfigKey.INBOUND_INCLUDE_PORTS,
              ConfigKey.INBOUND_EXCLUDE_PORTS,
              ConfigKey.INBOUND_EXCLUDE_PORTS_FOR_UIDS,
              ConfigKey.INBOUND_EXCLUDE_PORTS_FOR_IPS,
              ConfigKey.INBOUND_INSERT_REDIRECT);
      TrafficFlow outbound =
          flow(
              ConfigKey.OUTBOUND_ENABLED,
              ConfigKey.OUTBOUND_PORT,
              ConfigKey.OUTBOUND_INCLUDE_PORTS,
              ConfigKey.OUTBOUND_EXCLUDE_PORTS,
              ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_UIDS,
              ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_IPS,
              ConfigKey.OUTBOUND_INSERT_REDIRECT);
      Dns dns =
          new Dns(
              bool(ConfigKey.DNS_ENABLED),
              port(ConfigKey.DNS_PORT),
              bool(ConfigKey.DNS_CAPTURE_ALL),
              bool(ConfigKey.DNS_SKIP_CONNTRACK_ZONE_SPLIT),
              string(ConfigKey.DNS_RESOLV_CONFIG_PATH));
      if (dns.resolvConfigPath().isBlank()) {
        problem(ConfigKey.DNS_RESOLV_CONFIG_PATH, "must not be empty");
      }
      int logLevel = uint(ConfigKey.LOG_LEVEL);
      if (logLevel > 7) {
        problem(ConfigKey.LOG_LEVEL, logLevel + " (expected: 0-7)");
      }
      if (bool(ConfigKey.EBPF_ENABLED)) {
        problem(ConfigKey.EBPF_ENABLED, "true (expected: false; only the iptables engine exists)");
      }
      TransparentProxyConfig config =
          new TransparentProxyConfig(
              string(ConfigKey.KUMA_DP_USER).strip(),
              ipFamilyMode(),
              bool(ConfigKey.DROP_INVALID_PACKETS),
              bool(ConfigKey.STORE_FIREWALLD),
              bool(ConfigKey.VERBOSE),
              bool(ConfigKey.DRY_RUN),
              uint(ConfigKey.WAIT),
              uint(ConfigKey.WAIT_INTERVAL),
              bool(ConfigKey.CNI_MODE),
              executables(),
              bool(ConfigKey.COMMENTS_DISABLED),
              bool(ConfigKey.LOG_ENABLED),
              logLevel,
              uint(ConfigKey.RETRY_MAX_RETRIES),
              duration(ConfigKey.RETRY_SLEEP_BETWEEN_RETRIES),
              inbound,
              outbound,
              dns,
              list(ConfigKey.VNET_NETWORKS, Exclusions::virtualNetwork, true));
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return config;
    }

    private TrafficFlow flow(
        ConfigKey enabled,
        ConfigKey port,
        ConfigKey include,
        ConfigKey exclude,
        ConfigKey uids,
        ConfigKey ips,
        ConfigKey insert) {
      List<List<Integer>> includePorts = list(include, Exclusions::ports, true);
      List<List<Integer>> excludePorts = list(exclude, Exclusions::ports, true);
      List<List<PortExclusion>> uidExclusions = list(uids, Exclusions::uidExclusion, false);
      List<List<String>> ipExclusions = list(ips, Exclusions::ips, false);
      return new TrafficFlow(
          bool(enabled),
          port(port),
          includePorts.stream().flatMap(List::stream).distinct().toList(),
          excludePorts.stream().flatMap(List::stream).distinct().toList(),
          uidExclusions.stream().flatMap(List::stream).toList(),
          ipExclusions.stream().flatMap(List::stream).toList(),
          bool(insert));
    }

    private IpFamilyMode ipFamilyMode() {
      String value = string(ConfigKey.IP_FAMILY_MODE).strip().toLowerCase(Locale.ROOT);
      return switch (value) {
        case "", "dualstack" -> IpFamilyMode.DUALSTACK;
        case "ipv4" -> IpFamilyMode.IPV4;
        default -> {
          problem(ConfigKey.IP_FAMILY_MODE, "'" + value + "' (expected: dualstack or ipv4)");
          yield IpFamilyMode.DUALSTACK;
        }
      };
    }

    private Map<String, String> executables() {
      Setting setting = settings.get(ConfigKey.IPTABLES_EXECUTABLES);
      Map<String, String> out = new LinkedHashMap<>();
      Object value = setting.value();
      if (value instanceof Map<?, ?> map) {
        map.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
      } else if (value instanceof String text) {
        for (String item : text.split(",")) {
          if (item.isBlank()) {
            continue;
          }
          int colon = item.indexOf(':');
          if (colon <= 0) {
            problem(ConfigKey.IPTABLES_EXECUTABLES, "'" + item + "' (expected: name:/path)");
            continue;
          }
          out.put(item.substring(0, colon).strip(), item.substring(colon + 1).strip());
        }
      } else if (value != null) {
        problem(ConfigKey.IPTABLES_EXECUTABLES, "expected name:/path pairs");
      }
      out.forEach(
          (name, path) -> {
            if (!EXECUTABLE_NAMES.contains(name)) {
              problem(
                  ConfigKey.IPTABLES_EXECUTABLES,
                  "unknown executable '"
                      + name
                      + "' (expected: one of iptables, iptables-save, iptables-restore,"
                      + " ip6tables, ip6tables-save, ip6tables-restore)");
            } else if (path.isEmpty()) {
              problem(ConfigKey.IPTABLES_EXECUTABLES, "empty path for '" + name + "'");
            }
          });
      return out;
    }

    private <T> List<T> list(ConfigKey key, Function<String, T> parse, boolean splitStrings) {
      Setting setting = settings.get(key);
      Object value = setting.value();
      List<String> items = new ArrayList<>();
      if (value == null) {
        return List.of();
      } else if (value instanceof List<?> list) {
        list.forEach(item -> items.add(String.valueOf(item)));
      } else if (value instanceof String text
          && splitStrings
          && key.kind() == ConfigKey.Kind.VNETS) {
        for (String part : text.split(",")) {
          if (!part.isBlank()) {
            items.add(part);
          }
        }
      } else if (value instanceof String text && key.kind() == ConfigKey.Kind.UID_EXCLUSIONS) {
        for (String part : text.split(";")) {
          if (!part.isBlank()) {
            items.add(part);
          }
        }
      } else {
        items.add(String.valueOf(value));
      }
      List<T> out = new ArrayList<>();
      for (String item : items) {
        try {
          out.add(parse.apply(item));
        } catch (IllegalArgumentException e) {
          problems.add(setting.origin() + ": " + e.getMessage());
        }
      }
      return out;
    }

    private boolean bool(ConfigKey key) {
      Object value = settings.get(key).value();
      if (value instanceof Boolean b) {
        return b;
      }
      String text = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
      if (text.equals("true")) {
        return true;
      }
      if (!text.equals("false")) {
        problem(key, "'" + value + "' (expected: true or false)");
      }
      return false;
    }

    private String string(ConfigKey key) {
      Object value = settings.get(key).value();
      return value == null ? "" : String.valueOf(value);
    }

    private int uint(ConfigKey key) {
      String text = string(key).strip();
      if (text.matches("\\d{1,9}")) {
        return Integer.parseInt(text);
      }
      problem(key, "'" + text + "' (expected: a whole number >= 0)");
      return 0;
    }

    private int port(ConfigKey key) {
      try {
        return Exclusions.port(string(key));
      } catch (IllegalArgumentException e) {
        problem(key, e.getMessage());
        return 1;
      }
    }

    private Duration duration(ConfigKey key) {
      String text = string(key).strip();
      if (text.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(text));
      }
      Matcher matcher = DURATION_PART.matcher(text);
      Duration total = Duration.ZERO;
      int end = 0;
      while (matcher.find() && matcher.start() == end) {
        double amount = Double.parseDouble(matcher.group(1));
        long nanosPerUnit =
            switch (matcher.group(2)) {
              case "ns" -> 1L;
              case "us", "µs" -> 1_000L;
              case "ms" -> 1_000_000L;
              case "s" -> 1_000_000_000L;
              case "m" -> 60_000_000_000L;
              default -> 3_600_000_000_000L;
            };
        total = total.plusNanos((long) (amount * nanosPerUnit));
        end = matcher.end();
      }
      if (text.isEmpty() || end != text.length()) {
        problem(key, "'" + text + "' (expected: a duration like 2s, 500ms or 1m30s)");
        return Duration.ZERO;
      }
      return total;
    }

    private void problem(ConfigKey key, String message) {
      problems.add(settings.get(key).origin() + ": " + message);
    }
  }
}
