/** The in-memory store, Kuma's default. */
package io.meshlite.cp.store.memory;
