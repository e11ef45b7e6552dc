package io.meshlite.cp.manager;

import java.io.Serial;

/** Failures of {@link ResourceManager} that are not validation or store errors. */
public abstract sealed class ManagerException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  ManagerException(String message) {
    super(message);
  }

  /** A mesh-scoped resource names a Mesh that does not exist (Kuma: 400 "Mesh is not found"). */
  public static final class MeshNotFound extends ManagerException {
    @Serial private static final long serialVersionUID = 1L;

    private final String mesh;

    public MeshNotFound(String mesh) {
      super("mesh of name " + mesh + " is not found");
      this.mesh = mesh;
    }

    /** The missing mesh. */
    public String mesh() {
      return mesh;
    }
  }

  /** A list request has a bad {@code size} or {@code offset} (Kuma: 400 "Invalid page size"/"Invalid offset"). */
  public static final class InvalidPage extends ManagerException {
    @Serial private static final long serialVersionUID = 1L;

    private final String field;
    private final String detail;

    /**
     * @param field {@code size} or {@code offset}
     * @param detail Kuma's detail text, e.g. {@code Invalid page size}
     * @param message what is wrong with the value
     */
    public InvalidPage(String field, String detail, String message) {
      super(message);
      this.field = field;
      this.detail = detail;
    }

    public String field() {
      return field;
    }

    public String detail() {
      return detail;
    }
  }
}
