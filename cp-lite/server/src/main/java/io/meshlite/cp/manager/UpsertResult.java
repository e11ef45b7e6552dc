package io.meshlite.cp.manager;

import io.meshlite.api.resource.Resource;

/**
 * The outcome of a create-or-update.
 *
 * @param resource the stored resource (with its new version and times)
 * @param created true if it did not exist before (REST answers 201), false on update (200)
 */
public record UpsertResult(Resource resource, boolean created) {}
