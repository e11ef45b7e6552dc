/**
 * Typed iptables rule model and the builder that lays out Kuma's transparent-proxy rules.
 *
 * <p>{@link io.meshlite.iptables.rules.RuleSetBuilder} turns one IP family's settings into a
 * {@link io.meshlite.iptables.rules.RuleSet}; {@link io.meshlite.iptables.rules.RuleSet#render}
 * prints it in {@code iptables-restore} format. Nothing here touches the host.
 */
package io.meshlite.iptables.rules;
