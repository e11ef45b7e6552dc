/**
 * Durable stores over JDBC: {@link io.meshlite.cp.store.jdbc.JdbcStore} with an embedded SQLite
 * file or a shared PostgreSQL database (Kuma's {@code resources} table, Flyway migrations with
 * history table {@code schema_migration}, change events from {@code LISTEN resource_events}). See
 * {@code DESIGN.md} in the parent package for the choices behind it.
 */
package io.meshlite.cp.store.jdbc;
