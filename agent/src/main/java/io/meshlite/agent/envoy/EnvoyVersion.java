package io.meshlite.agent.envoy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Envoy's version as {@code envoy --version} prints it: {@code version:
 * <revision>/<version>/<status>/<build type>/<ssl>}.
 *
 * @param version the release, e.g. {@code 1.39.3}
 * @param build the whole {@code /}-separated string
 */
public record EnvoyVersion(String version, String build) {
  private static final Pattern LINE = Pattern.compile("version:\\s*(\\S+)");
  private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d+)\\.(\\d+)");

  /**
   * Parses {@code envoy --version} output as Kuma does: the value after {@code version:} must have
   * exactly five {@code /}-separated parts, the second being the version.
   *
   * @throws IllegalArgumentException when the output has another shape
   */
  public static EnvoyVersion parse(String output) {
    Matcher m = LINE.matcher(output);
    if (!m.find()) {
      throw new IllegalArgumentException("no \"version:\" in the output of envoy --version: " + oneLine(output));
    }
    String build = m.group(1);
    String[] parts = build.split("/", -1);
    if (parts.length != 5 || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "unexpected envoy --version output \"" + build
              + "\" (expected: <revision>/<version>/<status>/<build type>/<ssl>)");
    }
    return new EnvoyVersion(parts[1], build);
  }

  /** True when this version has the same major.minor as {@code supported} (e.g. 1.39.x vs 1.39.3). */
  public boolean compatibleWith(String supported) {
    String mine = majorMinor(version);
    return mine != null && mine.equals(majorMinor(supported));
  }

  /** The {@code major.minor} prefix of a version, or null if it has none. */
  static String majorMinor(String v) {
    Matcher m = MAJOR_MINOR.matcher(v);
    return m.find() ? Integer.parseInt(m.group(1)) + "." + Integer.parseInt(m.group(2)) : null;
  }

  private static String oneLine(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }
}
