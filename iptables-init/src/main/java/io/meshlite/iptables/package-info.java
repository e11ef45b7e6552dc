/**
 * kuma-init: Kuma's {@code kumactl install transparent-proxy} as a standalone binary, plus the
 * public entry points kumactl mounts ({@link io.meshlite.iptables.TransparentProxyCommands}).
 */
package io.meshlite.iptables;
