package io.meshlite.api;

/** Version facts shared by all binaries. */
public final class Versions {
  /** Our version. */
  public static final String VERSION = "0.1.0";

  /** The Kuma release whose formats and API we implement. */
  public static final String KUMA_COMPAT = "2.14.3";

  /** The Envoy release we bundle and test against (see envoy/VERSION). */
  public static final String ENVOY = "1.39.3";

  private Versions() {}
}
