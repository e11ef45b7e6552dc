package io.meshlite.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A page of a list endpoint, in Kuma's shape.
 *
 * @param total how many resources match in all pages
 * @param items the resources of this page, in REST JSON form
 * @param next the absolute URL of the next page, or null on the last one
 */
public record ResourceList(long total, List<JsonNode> items, String next) {
  public ResourceList {
    items = List.copyOf(items);
  }
}
