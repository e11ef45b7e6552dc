package io.meshlite.cp.xds.generator;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a proxy told the control plane about itself in its xDS node metadata (put there by the
 * bootstrap from kuma-dp's request): facts generators need that the Dataplane resource does not
 * hold.
 *
 * @param workDir kuma-dp's work directory (node metadata {@code workdir}); "" when unknown
 * @param features kuma-dp's feature strings ({@code features})
 * @param ipv6Enabled whether kuma-dp found IPv6 on the host ({@code ipv6Enabled})
 */
public record ProxyMetadata(String workDir, Set<String> features, boolean ipv6Enabled) {
  /** Kuma's feature string for outbounds bound to real loopback addresses (no VIPs, no DNS). */
  public static final String FEATURE_BIND_OUTBOUNDS = "feature-bind-outbounds";

  /** Nothing known (a proxy whose node carried no metadata). */
  public static final ProxyMetadata NONE = new ProxyMetadata("", Set.of(), false);

  public ProxyMetadata {
    workDir = workDir == null ? "" : workDir;
    features = Collections.unmodifiableSet(new TreeSet<>(features));
  }

  /** Reads the metadata of the node a proxy sent on its first xDS request. */
  public static ProxyMetadata fromNode(Node node) {
    Struct md = node.getMetadata();
    String workDir = md.getFieldsOrDefault("workdir", Value.getDefaultInstance()).getStringValue();
    Set<String> features = new TreeSet<>();
    Value f = md.getFieldsOrDefault("features", Value.getDefaultInstance());
    if (f.hasListValue()) {
      for (Value v : f.getListValue().getValuesList()) {
        if (v.hasStringValue()) {
          features.add(v.getStringValue());
        }
      }
    }
    Value ipv6 = md.getFieldsOrDefault("ipv6Enabled", Value.getDefaultInstance());
    boolean ipv6Enabled = ipv6.hasBoolValue() ? ipv6.getBoolValue() : "true".equals(ipv6.getStringValue());
    return new ProxyMetadata(workDir, features, ipv6Enabled);
  }

  /** Whether kuma-dp announced this feature. */
  public boolean hasFeature(String feature) {
    return features.contains(feature);
  }
}
