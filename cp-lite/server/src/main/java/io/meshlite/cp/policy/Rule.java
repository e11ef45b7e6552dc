package io.meshlite.cp.policy;

import java.util.Objects;

/**
 * What applies to the clients of one subset.
 *
 * @param subset the clients
 * @param conf the merged configuration for them
 * @param <C> the configuration type
 */
public record Rule<C>(Subset subset, C conf) {
  public Rule {
    Objects.requireNonNull(subset, "subset");
    Objects.requireNonNull(conf, "conf");
  }
}
