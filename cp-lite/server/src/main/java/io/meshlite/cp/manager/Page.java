package io.meshlite.cp.manager;

import io.meshlite.api.resource.Resource;
import java.util.List;
import java.util.OptionalInt;

/**
 * One page of a list.
 *
 * @param items the resources of this page, sorted by mesh then name
 * @param total how many resources match the filters in all pages
 * @param nextOffset the offset of the next page, empty on the last one
 */
public record Page(List<Resource> items, long total, OptionalInt nextOffset) {
  public Page {
    items = List.copyOf(items);
  }
}
