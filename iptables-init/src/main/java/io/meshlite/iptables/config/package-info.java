/**
 * Transparent-proxy configuration: Kuma's config keys, layered defaults &lt; {@code --config}
 * file(s) &lt; {@code KUMA_TRANSPARENT_PROXY_*} &lt; flags, validated once into {@link
 * io.meshlite.iptables.config.TransparentProxyConfig}.
 */
package io.meshlite.iptables.config;
