/**
 * The resource model: type descriptors, keys, metadata and the JSON codec that reads and writes
 * Kuma's YAML and REST shapes.
 */
package io.meshlite.api.resource;
