/**
 * Resource storage behind one interface ({@link io.meshlite.cp.store.ResourceStore}), with change
 * events that drive the xDS reconciler.
 */
package io.meshlite.cp.store;
