/**
 * Kuma's REST API on port 5681 ({@link io.meshlite.cp.rest.RestServer}): resource CRUD for every
 * type, index, {@code /_resources} and {@code /config}, with Kuma's error JSON produced in one place.
 */
package io.meshlite.cp.rest;
