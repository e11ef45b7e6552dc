package io.meshlite.cp.vip;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One allocation step for a mesh, pure: given the stored table and the services that exist now,
 * the next table. Existing services keep their VIP; new ones (in name order) get the lowest free
 * address of the range, never its first (network) or last (broadcast) address; a service that is
 * gone keeps its VIP reserved for the grace period, then the VIP is released. A VIP outside the
 * range (the range was changed) is given up and the service gets a new one.
 */
public final class VipAllocation {
  /**
   * What changed, for logging.
   *
   * @param table the next table
   * @param allocated services that got a VIP, with it
   * @param released services whose VIP was released
   * @param exhausted services that could not get a VIP because the range is full
   */
  public record Result(
      VipTable table, SortedMap<String, String> allocated, List<String> released, List<String> exhausted) {
    public Result {
      allocated = Collections.unmodifiableSortedMap(new TreeMap<>(allocated));
      released = List.copyOf(released);
      exhausted = List.copyOf(exhausted);
    }
  }

  private VipAllocation() {}

  /**
   * @param current the stored table
   * @param services the {@code kuma.io/service} names that exist in the mesh now
   * @param cidr the VIP range
   * @param now the current time
   * @param grace how long the VIP of a vanished service stays reserved
   */
  public static Result next(VipTable current, Set<String> services, Ipv4Cidr cidr, Instant now, Duration grace) {
    TreeMap<String, VipTable.Vip> next = new TreeMap<>();
    List<String> released = new ArrayList<>();
    TreeSet<Long> taken = new TreeSet<>();
    for (var other : current.others().values()) {
      String a = other.path("address").asText("");
      if (cidr.contains(a)) {
        taken.add(Ipv4Cidr.parseAddress(a));
      }
    }
    for (Map.Entry<String, VipTable.Vip> e : current.services().entrySet()) {
      String service = e.getKey();
      VipTable.Vip vip = e.getValue();
      if (!cidr.contains(vip.address()) || taken.contains(Ipv4Cidr.parseAddress(vip.address()))) {
        released.add(service); // outside the range, or a duplicate: allocate again if still used
        continue;
      }
      if (services.contains(service)) {
        next.put(service, VipTable.Vip.inUse(vip.address()));
      } else if (vip.unusedSince().isEmpty()) {
        next.put(service, new VipTable.Vip(vip.address(), Optional.of(now)));
      } else if (!now.isBefore(vip.unusedSince().get().plus(grace))) {
        released.add(service);
        continue;
      } else {
        next.put(service, vip);
      }
      taken.add(Ipv4Cidr.parseAddress(vip.address()));
    }
    TreeMap<String, String> allocated = new TreeMap<>();
    List<String> exhausted = new ArrayList<>();
    long candidate = cidr.first() + 1;
    long last = cidr.last() - 1;
    for (String service : new TreeSet<>(services)) {
      if (next.containsKey(service)) {
        continue;
      }
      while (candidate <= last && taken.contains(candidate)) {
        candidate++;
      }
      if (candidate > last) {
        exhausted.add(service);
        continue;
      }
      String address = Ipv4Cidr.format(candidate);
      taken.add(candidate);
      next.put(service, VipTable.Vip.inUse(address));
      allocated.put(service, address);
    }
    released.removeIf(allocated::containsKey);
    return new Result(new VipTable(next, current.others()), allocated, released, exhausted);
  }
}
