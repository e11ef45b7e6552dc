package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.policy.MeshTrafficPermissionSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.ca.MtlsSupport;
import io.meshlite.cp.policy.trafficpermission.TrafficPermissions;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link AffectedProxies} against the brute force: on random meshes and random changes,
 * every proxy whose generated configuration differs between the two revisions must be reported as
 * affected. It also checks that the answer is usually narrower than "every proxy", which is the
 * point of computing it.
 */
class AffectedProxiesTest {
  private static final String MESH = "demo";
  private static final int SERVICES = 6;
  private static final int DATAPLANES = 12;
  private static final ProxyProfile PROFILE = ProxyProfile.dataplane();

  private static MeshSecurity.Mtls mtls;
  private static List<TrafficPermissions.Named<MeshTrafficPermissionSpec>> policies;

  @BeforeAll
  static void ca() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (MemoryStore store = new MemoryStore(clock)) {
      Resource mesh = meshResource(true);
      store.create(mesh);
      mtls = new MtlsSupport(store, clock).enrich(MeshContext.build(mesh, List.of())).security().mtls().orElseThrow();
    }
    policies = new ArrayList<>();
    policies.add(policy("allow-all", "{kind: Mesh}", "{kind: Mesh}", "Allow"));
    policies.add(policy("deny-svc-1", "{kind: MeshService, name: svc-1}", "{kind: Mesh}", "Deny"));
    policies.add(policy("svc-2-from-svc-0", "{kind: MeshService, name: svc-2}", "{kind: MeshService, name: svc-0}", "Allow"));
    policies.add(policy("deny-v2", "{kind: MeshSubset, tags: {version: v2}}", "{kind: Mesh}", "Deny"));
  }

  /** One random mesh state; mutated in place by {@link #mutate}. */
  private static final class Model {
    final Map<Integer, Dp> dataplanes = new TreeMap<>();
    final Map<String, String> vips = new TreeMap<>();
    boolean mtlsOn;
    final Set<Integer> policies = new TreeSet<>();

    Model copy() {
      Model m = new Model();
      dataplanes.forEach((k, v) -> m.dataplanes.put(k, v.copy()));
      m.vips.putAll(vips);
      m.mtlsOn = mtlsOn;
      m.policies.addAll(policies);
      return m;
    }
  }

  private static final class Dp {
    int address;
    boolean invalid;
    boolean tproxy;
    List<String[]> inbounds = new ArrayList<>(); // service, protocol, state, version
    List<String> outbounds = new ArrayList<>(); // destination services, port = 10001 + index

    Dp copy() {
      Dp d = new Dp();
      d.address = address;
      d.invalid = invalid;
      d.tproxy = tproxy;
      inbounds.forEach(i -> d.inbounds.add(i.clone()));
      d.outbounds.addAll(outbounds);
      return d;
    }
  }

  @Test
  void everyProxyWhoseConfigChangesIsAffected() {
    Random random = new Random(20261206);
    Map<String, ProxyMetadata> metadata = new HashMap<>();
    for (int i = 0; i < DATAPLANES; i++) {
      metadata.put(name(i), random.nextBoolean() ? new ProxyMetadata("/tmp/dp-" + i, Set.of(), false) : ProxyMetadata.NONE);
    }
    Model model = randomModel(random);
    int partial = 0;
    int changedProxies = 0;
    int skipped = 0;
    for (int step = 0; step < 400; step++) {
      Model next = model.copy();
      int mutations = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
      List<String> applied = new ArrayList<>();
      for (int m = 0; m < mutations; m++) {
        applied.add(mutate(next, random));
      }
      MeshContext before = context(model);
      MeshContext after = context(next);
      AffectedProxies.Result affected = AffectedProxies.between(before, after);

      Set<String> names = new TreeSet<>(before.dataplanes().keySet());
      names.addAll(after.dataplanes().keySet());
      names.addAll(before.invalid().keySet());
      names.addAll(after.invalid().keySet());
      for (String name : names) {
        Optional<String> b = config(before, name, metadata.get(name));
        Optional<String> a = config(after, name, metadata.get(name));
        if (!b.equals(a)) {
          changedProxies++;
          assertThat(affected.affects(name))
              .as("step %d, changes %s: %s changed but is not affected (affected: %s)", step, applied, name, affected)
              .isTrue();
        } else if (!affected.affects(name)) {
          skipped++;
        }
      }
      if (!affected.all() && affected.dataplanes().size() < names.size()) {
        partial++;
      }
      model = next;
    }
    // The comparison must have had something to catch, and the result must be narrower than "all".
    assertThat(changedProxies).isGreaterThan(400);
    assertThat(partial).isGreaterThan(200);
    assertThat(skipped).isGreaterThan(1000);
  }

  @Test
  void identicalContextsAffectNothingAndAMissingSideAffectsEverything() {
    MeshContext ctx = context(randomModel(new Random(1)));
    assertThat(AffectedProxies.between(ctx, ctx)).isEqualTo(AffectedProxies.Result.NONE);
    assertThat(AffectedProxies.between(ctx, context(randomModel(new Random(1))))
            .dataplanes())
        .isEmpty();
    assertThat(AffectedProxies.between(null, ctx).all()).isTrue();
    assertThat(AffectedProxies.between(ctx, null).all()).isTrue();
  }

  @Test
  void aPermissionChangeWithMtlsOffAffectsNoProxy() {
    Model m = randomModel(new Random(2));
    m.mtlsOn = false;
    m.policies.clear();
    Model n = m.copy();
    n.policies.add(1);
    assertThat(AffectedProxies.between(context(m), context(n))).isEqualTo(AffectedProxies.Result.NONE);
  }

  /** The proxy's whole generated configuration, or empty if its Dataplane is missing or invalid. */
  private static Optional<String> config(MeshContext ctx, String name, ProxyMetadata md) {
    return ctx.dataplane(name)
        .map(dp -> PROFILE.generate(ctx, dp.withMetadata(md)).toTree().toString());
  }

  private static Model randomModel(Random r) {
    Model m = new Model();
    for (int i = 0; i < DATAPLANES; i++) {
      if (r.nextInt(5) != 0) {
        m.dataplanes.put(i, randomDp(r, i));
      }
    }
    for (int s = 0; s < SERVICES; s++) {
      if (r.nextBoolean()) {
        m.vips.put(service(s), "240.0.0." + (s + 1));
      }
    }
    m.mtlsOn = r.nextBoolean();
    return m;
  }

  private static Dp randomDp(Random r, int i) {
    Dp d = new Dp();
    d.address = i;
    d.tproxy = r.nextInt(3) == 0;
    int inbounds = 1 + r.nextInt(2);
    for (int k = 0; k < inbounds; k++) {
      d.inbounds.add(randomInbound(r));
    }
    int outbounds = r.nextInt(4);
    for (int k = 0; k < outbounds; k++) {
      d.outbounds.add(service(r.nextInt(SERVICES)));
    }
    return d;
  }

  private static String[] randomInbound(Random r) {
    String[] states = {"Ready", "Ready", "Ready", "NotReady", "Ignored"};
    return new String[] {
      service(r.nextInt(SERVICES)), r.nextBoolean() ? "http" : "tcp", states[r.nextInt(states.length)], "v" + r.nextInt(3)
    };
  }

  /** Applies one random change and says which. */
  private static String mutate(Model m, Random r) {
    int i = r.nextInt(DATAPLANES);
    Dp d = m.dataplanes.get(i);
    switch (r.nextInt(14)) {
      case 0 -> {
        if (d == null) {
          m.dataplanes.put(i, randomDp(r, i));
          return "add " + name(i);
        }
        m.dataplanes.remove(i);
        return "remove " + name(i);
      }
      case 1, 2 -> {
        if (d != null) {
          String[] in = d.inbounds.get(r.nextInt(d.inbounds.size()));
          in[2] = in[2].equals("Ready") ? (r.nextBoolean() ? "NotReady" : "Ignored") : "Ready";
          return "state of " + name(i);
        }
      }
      case 3 -> {
        if (d != null) {
          d.inbounds.get(r.nextInt(d.inbounds.size()))[0] = service(r.nextInt(SERVICES));
          return "inbound service of " + name(i);
        }
      }
      case 4 -> {
        if (d != null) {
          d.inbounds.get(r.nextInt(d.inbounds.size()))[3] = "v" + r.nextInt(3);
          return "version tag of " + name(i);
        }
      }
      case 5, 6 -> {
        if (d != null) {
          if (d.outbounds.isEmpty() || r.nextBoolean()) {
            d.outbounds.add(service(r.nextInt(SERVICES)));
            return "outbound added to " + name(i);
          }
          d.outbounds.remove(d.outbounds.size() - 1);
          return "outbound removed from " + name(i);
        }
      }
      case 7 -> {
        if (d != null) {
          d.tproxy = !d.tproxy;
          return "tproxy of " + name(i);
        }
      }
      case 8 -> {
        if (d != null) {
          d.invalid = !d.invalid;
          return "validity of " + name(i);
        }
      }
      case 9 -> {
        if (d != null) {
          d.address = (d.address + 1 + r.nextInt(3)) % 250;
          return "address of " + name(i);
        }
      }
      case 10 -> {
        String s = service(r.nextInt(SERVICES + 1)); // sometimes a service nobody offers
        if (m.vips.remove(s) == null) {
          m.vips.put(s, "240.0.1." + (1 + r.nextInt(200)));
        }
        return "vip of " + s;
      }
      case 11 -> {
        m.mtlsOn = !m.mtlsOn;
        return "mtls";
      }
      case 12 -> {
        int p = r.nextInt(policies.size());
        if (!m.policies.remove(p)) {
          m.policies.add(p);
        }
        return "policy " + policies.get(p).name();
      }
      default -> {}
    }
    return "nothing";
  }

  private static MeshContext context(Model m) {
    List<Resource> dataplanes = new ArrayList<>();
    m.dataplanes.forEach((i, d) -> dataplanes.add(dataplaneResource(i, d)));
    MeshContext ctx = MeshContext.build(meshResource(m.mtlsOn), dataplanes, m.vips);
    List<TrafficPermissions.Named<MeshTrafficPermissionSpec>> mtps = new ArrayList<>();
    m.policies.forEach(p -> mtps.add(policies.get(p)));
    return ctx.withSecurity(
        new MeshSecurity(m.mtlsOn ? Optional.of(mtls) : Optional.empty(), new TrafficPermissions(mtps, List.of())));
  }

  private static Resource dataplaneResource(int i, Dp d) {
    StringBuilder y = new StringBuilder();
    y.append("type: Dataplane\nmesh: ").append(MESH).append("\nname: ").append(name(i)).append("\nnetworking:\n");
    y.append("  address: ").append(d.invalid ? "0.0.0.0" : "10.0.0." + (d.address + 1)).append('\n');
    y.append("  inbound:\n");
    for (int k = 0; k < d.inbounds.size(); k++) {
      String[] in = d.inbounds.get(k);
      y.append("  - port: ").append(8080 + k).append('\n');
      y.append("    tags: {kuma.io/service: ").append(in[0]).append(", kuma.io/protocol: ").append(in[1])
          .append(", version: ").append(in[3]).append("}\n");
      if (!in[2].equals("Ready")) {
        y.append("    state: ").append(in[2]).append('\n');
      }
    }
    if (!d.outbounds.isEmpty()) {
      y.append("  outbound:\n");
      for (int k = 0; k < d.outbounds.size(); k++) {
        y.append("  - port: ").append(10001 + k).append("\n    tags: {kuma.io/service: ").append(d.outbounds.get(k)).append("}\n");
      }
    }
    if (d.tproxy) {
      y.append("  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001}\n");
    }
    return ResourceCodec.parse(y.toString());
  }

  private static Resource meshResource(boolean mtlsOn) {
    String y = "type: Mesh\nname: " + MESH + "\n";
    if (mtlsOn) {
      y += "mtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\n";
    }
    Resource r = ResourceCodec.parse(y);
    assertThat(r.type()).isEqualTo(ResourceTypes.MESH_TYPE);
    return r;
  }

  private static TrafficPermissions.Named<MeshTrafficPermissionSpec> policy(
      String name, String target, String from, String action) {
    Resource r =
        ResourceCodec.parse(
            "type: MeshTrafficPermission\nmesh: " + MESH + "\nname: " + name + "\nspec:\n  targetRef: " + target
                + "\n  from:\n  - targetRef: " + from + "\n    default: {action: " + action + "}\n");
    return new TrafficPermissions.Named<>(name, MeshTrafficPermissionSpec.parse(r.spec()));
  }

  private static String name(int i) {
    return "dp-" + i;
  }

  private static String service(int s) {
    return "svc-" + s;
  }
}
