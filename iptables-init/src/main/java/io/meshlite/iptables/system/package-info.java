/**
 * Everything that touches the host: running {@code iptables-save}/{@code iptables-restore}
 * (through an injectable {@link io.meshlite.iptables.system.CommandRunner}), finding the
 * executables, probing users, IPv6 and modules, and the install / uninstall / verify flows in
 * {@link io.meshlite.iptables.system.TransparentProxy}.
 */
package io.meshlite.iptables.system;
