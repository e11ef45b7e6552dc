/**
 * Typed, validated views of the traffic permission policies: the targetRef {@code
 * MeshTrafficPermission} and the legacy source/destination {@code TrafficPermission}. Parsing
 * reports every problem with its field path ({@code spec.from[0].default.action}, {@code
 * sources[0].match}); matching and merging live in the control plane.
 */
package io.meshlite.api.policy;
