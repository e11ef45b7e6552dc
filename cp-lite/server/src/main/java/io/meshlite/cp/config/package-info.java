/**
 * kuma-cp's configuration: {@link io.meshlite.cp.config.CpConfig} (one record per section, Kuma's
 * key names), loaded once by {@link io.meshlite.cp.config.CpConfigLoader} from defaults, a YAML
 * file and {@code KUMA_*} variables listed in {@link io.meshlite.cp.config.ConfigKeys}.
 */
package io.meshlite.cp.config;
