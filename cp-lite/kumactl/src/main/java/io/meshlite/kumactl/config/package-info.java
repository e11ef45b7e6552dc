/**
 * kumactl's own configuration file ({@code ~/.kumactl/config}) in Kuma's format: {@code
 * controlPlanes[{name, coordinates.apiServer.url}]}, {@code contexts[{name, controlPlane}]} and
 * {@code currentContext}. The file is kept as a tree so settings we do not act on (headers, TLS
 * files, auth) survive a rewrite; it is written atomically.
 */
package io.meshlite.kumactl.config;
