/**
 * Matching and merging of targetRef policies, as Kuma 2.14's {@code pkg/plugins/policies/core}
 * does it. Sub-packages turn one policy type into Envoy configuration.
 *
 * <h2>Design note</h2>
 *
 * <p>An inbound policy ({@code from[]}) is applied in three steps. First, the policies whose
 * top-level {@code targetRef} selects an inbound are collected and sorted by {@link
 * io.meshlite.cp.policy.PolicyOrder} (least specific kind first; for equal kinds the
 * alphabetically first name last, so it wins). Second, their {@code from[]} entries are flattened in
 * that order. Third, {@link io.meshlite.cp.policy.FromRules} turns the entries into rules over
 * client {@link io.meshlite.cp.policy.Subset}s: for every combination of the tags the entries
 * mention (each tag present or negated), the configuration is the merge of every entry whose
 * subset contains the combination, later entries winning. The rules are disjoint, so they translate
 * directly into Envoy principals.
 *
 * <p>Everything here is pure (no store, no clock): it runs inside xDS generation.
 */
package io.meshlite.cp.policy;
