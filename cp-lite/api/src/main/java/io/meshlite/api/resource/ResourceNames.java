package io.meshlite.api.resource;

import io.meshlite.api.validation.Violations;
import java.util.regex.Pattern;

/**
 * The rules for resource names, mesh names and label keys, in one place for {@link ResourceCodec}
 * and for kuma-dp's check of a {@code --dataplane} resource (which does not load Jackson).
 */
public final class ResourceNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");
  private static final Pattern MESH_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern LABEL_KEY =
      Pattern.compile("([A-Za-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

  private ResourceNames() {}

  /** Adds a violation at {@code field} unless {@code value} is a valid resource name. */
  public static void checkName(String value, String field, Violations v) {
    if (!NAME.matcher(value).matches()) {
      v.add(field, "\"" + value + "\" is not a valid name (expected: letters, digits, '.', '-' or '_', "
          + "starting and ending with a letter or digit, at most 253 characters)");
    }
  }

  /** Adds a violation at {@code field} unless {@code value} is a valid mesh name. */
  public static void checkMeshName(String value, String field, Violations v) {
    if (!MESH_NAME.matcher(value).matches()) {
      v.add(field, "\"" + value + "\" is not a valid name (expected: lowercase letters, digits and '-', "
          + "at most 63 characters)");
    }
  }

  /**
   * Adds a violation at {@code labels["key"]} unless the key is valid (an optional DNS-like prefix and
   * '/', then a name) and the value a scalar.
   *
   * @return whether the label is valid
   */
  public static boolean checkLabel(String key, boolean scalarValue, Violations v) {
    String path = Violations.key("labels", key);
    if (!LABEL_KEY.matcher(key).matches()) {
      v.add(path, "label key is not valid");
      return false;
    }
    if (!scalarValue) {
      v.add(path, "label value must be a string");
      return false;
    }
    return true;
  }
}
