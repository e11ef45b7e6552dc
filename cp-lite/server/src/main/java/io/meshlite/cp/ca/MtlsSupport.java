package io.meshlite.cp.ca;

import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.api.policy.MeshTrafficPermissionSpec;
import io.meshlite.api.policy.TrafficPermissionSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.policy.trafficpermission.TrafficPermissions;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.xds.generator.Dataplane;
import io.meshlite.cp.xds.generator.MeshContext;
import io.meshlite.cp.xds.generator.MeshSecurity;
import io.meshlite.cp.xds.generator.ProxyIdentity;
import io.meshlite.cp.xds.generator.ResourceGenerator;
import io.meshlite.cp.xds.generator.SecretsGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the xDS reconciler needs for mTLS: per mesh, the enabled backend with its CA (a builtin CA
 * is created on first use) and the traffic permissions, loaded once per mesh change into the
 * {@link MeshContext}; per proxy, its identity certificate (the {@link SecretsGenerator}) and when
 * it must be renewed.
 */
public final class MtlsSupport {
  private static final Logger log = LoggerFactory.getLogger(MtlsSupport.class);

  private final ResourceStore store;
  private final CaManager cas;
  private final DataplaneIdentities identities;

  /**
   * @param store where Meshes, CA Secrets and permissions are read
   * @param clock the clock certificates are issued and renewed by
   */
  public MtlsSupport(ResourceStore store, Clock clock) {
    this(store, clock, DataplaneIdentities.IssueListener.NONE);
  }

  /** @param issues told about every workload certificate issued (for the DataplaneInsight's mTLS) */
  public MtlsSupport(ResourceStore store, Clock clock, DataplaneIdentities.IssueListener issues) {
    this.store = store;
    this.cas = new CaManager(store, clock);
    this.identities = new DataplaneIdentities(clock, issues);
  }

  /**
   * What the reconciler adds to one proxy's generation.
   *
   * @param generators per-proxy generators (the identity secrets)
   * @param renewAt when the proxy must be regenerated for a new certificate
   */
  public record ProxyExtras(List<ResourceGenerator> generators, Optional<Instant> renewAt) {
    /** Nothing extra (mTLS off). */
    public static final ProxyExtras NONE = new ProxyExtras(List.of(), Optional.empty());

    public ProxyExtras {
      generators = List.copyOf(generators);
    }
  }

  /**
   * Adds the mesh's security inputs to a freshly built context.
   *
   * @throws IllegalStateException if mTLS is on and its CA is not usable
   */
  public MeshContext enrich(MeshContext ctx) {
    Optional<Resource> mesh = store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", ctx.name()));
    if (mesh.isEmpty()) {
      return ctx;
    }
    Optional<MeshSecurity.Mtls> mtls = Optional.empty();
    Optional<MtlsSpec.Backend> enabled = MtlsSpec.parse(mesh.get().spec()).enabled();
    if (enabled.isPresent()) {
      MtlsSpec.Backend b = enabled.get();
      CaManager.Ca ca = cas.ensure(ctx.name(), b);
      mtls = Optional.of(new MeshSecurity.Mtls(b.name(), b.mode(), b.dpCertExpiration(), ca.chain(), ca.key(), ca.pem()));
    }
    return ctx.withSecurity(new MeshSecurity(mtls, permissions(ctx.name())));
  }

  /** The proxy's identity secrets and renewal time (nothing when its mesh has mTLS off). */
  public ProxyExtras forProxy(MeshContext ctx, Dataplane proxy) {
    Optional<ProxyIdentity> identity = identities.identity(ctx, proxy);
    if (identity.isEmpty()) {
      return ProxyExtras.NONE;
    }
    return new ProxyExtras(List.of(new SecretsGenerator(identity.get())), Optional.of(identity.get().renewAt()));
  }

  /** Drops what is kept for a proxy that went away. */
  public void forget(String nodeId) {
    identities.forget(nodeId);
  }

  /** Dataplane certificates issued since start. */
  public long certificatesIssued() {
    return identities.issuedTotal();
  }

  private TrafficPermissions permissions(String mesh) {
    List<TrafficPermissions.Named<MeshTrafficPermissionSpec>> mtps = new ArrayList<>();
    for (Resource r : store.list(ResourceTypes.MESH_TRAFFIC_PERMISSION, mesh)) {
      try {
        mtps.add(new TrafficPermissions.Named<>(r.name(), MeshTrafficPermissionSpec.parse(r.spec())));
      } catch (ValidationException e) {
        log.warn("ignoring an invalid MeshTrafficPermission mesh={} name={} error={}", mesh, r.name(), e.getMessage());
      }
    }
    List<TrafficPermissions.Named<TrafficPermissionSpec>> tps = new ArrayList<>();
    for (Resource r : store.list(ResourceTypes.TRAFFIC_PERMISSION, mesh)) {
      try {
        tps.add(new TrafficPermissions.Named<>(r.name(), TrafficPermissionSpec.parse(r.spec())));
      } catch (ValidationException e) {
        log.warn("ignoring an invalid TrafficPermission mesh={} name={} error={}", mesh, r.name(), e.getMessage());
      }
    }
    return new TrafficPermissions(mtps, tps);
  }
}
