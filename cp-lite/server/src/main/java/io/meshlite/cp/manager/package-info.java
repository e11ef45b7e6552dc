/**
 * The single write path over the store: {@link io.meshlite.cp.manager.ResourceManager} validates,
 * checks owners, computes labels, upserts with optimistic locking and pages lists.
 */
package io.meshlite.cp.manager;
