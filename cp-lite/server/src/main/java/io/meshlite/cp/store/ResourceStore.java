package io.meshlite.cp.store;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceType;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable (or not) storage of resources. Every implementation passes the same contract suite and
 * emits a {@link StoreEvent} after each committed change, which is what drives xDS pushes.
 *
 * <p>Versions start at 1 on create and grow by one on every update; an update must carry the
 * version it read, otherwise it fails with {@link StoreException.Conflict}. Deleting a Mesh deletes
 * every resource in it, and deleting a Dataplane deletes its DataplaneInsight (owner cascade).
 */
public interface ResourceStore extends AutoCloseable {

  /**
   * Stores a new resource. Its version becomes 1 and its creation and modification times are set
   * by the store; labels are kept.
   *
   * @throws StoreException.AlreadyExists if the key is taken
   */
  Resource create(Resource resource);

  /**
   * Replaces a stored resource. {@code resource.meta().version()} must equal the stored version.
   *
   * @throws StoreException.NotFound if it does not exist
   * @throws StoreException.Conflict if the version is stale
   */
  Resource update(Resource resource);

  /**
   * Deletes a resource (and, for a Mesh, everything in it).
   *
   * @throws StoreException.NotFound if it does not exist
   */
  void delete(ResourceKey key);

  /** The resource with this key, if stored. */
  Optional<Resource> get(ResourceKey key);

  /**
   * All resources of a type, sorted by mesh then name.
   *
   * @param mesh only this mesh, or {@code null} for every mesh
   */
  List<Resource> list(ResourceType type, String mesh);

  /**
   * Registers a listener called after every committed change, from the committing thread or a
   * store thread. Listeners must return quickly and never throw.
   *
   * @return a handle that unsubscribes when closed
   */
  Subscription subscribe(Consumer<StoreEvent> listener);

  /** Handle of a listener registration. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  default void close() {}
}
