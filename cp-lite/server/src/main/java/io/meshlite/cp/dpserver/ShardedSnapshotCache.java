package io.meshlite.cp.dpserver;

import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.SnapshotCache;
import io.envoyproxy.controlplane.cache.StatusInfo;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * java-control-plane's {@code SimpleCache}, split into independent shards by node id.
 *
 * <p>{@code SimpleCache.setSnapshot} is {@code synchronized} on the whole cache, and it answers the
 * proxy's open watches (which serialises the responses) while holding that monitor, so every
 * proxy's push waited for every other's. Here each node id always maps to the same shard, and
 * pushes of proxies in different shards run in parallel. A node's snapshot, watches and status
 * live in one shard, so per-node behaviour is exactly {@code SimpleCache}'s.
 */
public final class ShardedSnapshotCache implements SnapshotCache<String, Snapshot> {
  private final List<SimpleCache<String>> shards;

  /** @param shards how many independent shards (at least 1) */
  public ShardedSnapshotCache(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1: " + shards);
    }
    List<SimpleCache<String>> s = new ArrayList<>(shards);
    for (int i = 0; i < shards; i++) {
      s.add(new SimpleCache<>(Node::getId));
    }
    this.shards = List.copyOf(s);
  }

  private SimpleCache<String> shard(String group) {
    return shards.get(Math.floorMod(group.hashCode(), shards.size()));
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    return shard(request.v3Request().getNode().getId())
        .createWatch(ads, request, knownResourceNames, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    return shard(request.v3Request().getNode().getId())
        .createDeltaWatch(
            request, requesterVersion, resourceVersions, pendingResources, isWildcard, responseConsumer, hasClusterChanged);
  }

  @Override
  public boolean clearSnapshot(String group) {
    return shard(group).clearSnapshot(group);
  }

  @Override
  public Snapshot getSnapshot(String group) {
    return shard(group).getSnapshot(group);
  }

  @Override
  public void setSnapshot(String group, Snapshot snapshot) {
    shard(group).setSnapshot(group, snapshot);
  }

  @Override
  public Collection<String> groups() {
    List<String> out = new ArrayList<>();
    shards.forEach(s -> out.addAll(s.groups()));
    return out;
  }

  @Override
  public StatusInfo<String> statusInfo(String group) {
    return shard(group).statusInfo(group);
  }
}
