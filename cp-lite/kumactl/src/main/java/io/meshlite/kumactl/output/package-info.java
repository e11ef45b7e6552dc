/**
 * How kumactl prints: Kuma's space-aligned tables (three spaces between columns, an optional
 * pagination footer), its age and duration cells, and YAML/JSON renderings of REST bodies that
 * match what the Go kumactl prints (sorted YAML keys, {@code "key": value} JSON).
 */
package io.meshlite.kumactl.output;
