package io.meshlite.cp.manager;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Paging and filtering of a list, as the REST API's query parameters carry them.
 *
 * @param size page size, 1 to {@value #MAX_SIZE}
 * @param offset index of the first item (Kuma's opaque offset is a decimal index)
 * @param nameContains keep only names containing this text ({@code ""} = all)
 * @param labels keep only resources carrying all these labels with these values
 */
public record ListQuery(int size, int offset, String nameContains, Map<String, String> labels) {
  /** Kuma's default page size. */
  public static final int DEFAULT_SIZE = 100;

  /** Kuma's largest page size. */
  public static final int MAX_SIZE = 1000;

  public ListQuery {
    Objects.requireNonNull(nameContains, "nameContains");
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    if (size < 1 || size > MAX_SIZE) {
      throw new ManagerException.InvalidPage("size", "Invalid page size", "must be from 1 to " + MAX_SIZE);
    }
    if (offset < 0) {
      throw new ManagerException.InvalidPage("offset", "Invalid offset", "Invalid format");
    }
  }

  /** The first page of everything. */
  public static ListQuery all() {
    return new ListQuery(MAX_SIZE, 0, "", Map.of());
  }

  /**
   * Reads the raw query parameters.
   *
   * @param size the {@code size} parameter or null
   * @param offset the {@code offset} parameter or null
   * @param name the {@code name} parameter or null
   * @param labels the {@code filter[labels.<k>]} parameters
   * @throws ManagerException.InvalidPage if size or offset is not valid
   */
  public static ListQuery parse(String size, String offset, String name, Map<String, String> labels) {
    int s = DEFAULT_SIZE;
    if (size != null && !size.isEmpty()) {
      try {
        s = Integer.parseInt(size.trim());
      } catch (NumberFormatException e) {
        throw new ManagerException.InvalidPage("size", "Invalid page size", "Invalid format");
      }
      if (s > MAX_SIZE) {
        throw new ManagerException.InvalidPage(
            "size", "Invalid page size", "Invalid page size of " + s + ", max page size is " + MAX_SIZE);
      }
    }
    int o = 0;
    if (offset != null && !offset.isEmpty()) {
      try {
        o = Integer.parseInt(offset.trim());
      } catch (NumberFormatException e) {
        throw new ManagerException.InvalidPage("offset", "Invalid offset", "Invalid format");
      }
    }
    return new ListQuery(s, o, name == null ? "" : name, labels);
  }
}
