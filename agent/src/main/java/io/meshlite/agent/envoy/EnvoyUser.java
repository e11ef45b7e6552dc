package io.meshlite.agent.envoy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The user Envoy runs as when kuma-dp, running as root, is asked to drop it ({@code
 * --run-envoy-as}). The transparent proxy's iptables rules exempt one uid (5678 / {@code kuma-dp}
 * by default, {@code kuma-init --kuma-dp-user}); Envoy must run as that uid or its own upstream
 * connections are redirected back into itself.
 *
 * <p>Envoy is started through util-linux's {@code setpriv} ({@code --reuid --regid
 * --init-groups}, or {@code --clear-groups} for a uid without a passwd entry), which changes the
 * ids and execs Envoy in place, so the pid kuma-dp supervises is Envoy's. Envoy must then be able
 * to read its bootstrap and create its Unix sockets in the work directory, so kuma-dp hands both
 * to that user.
 *
 * @param uid the user id
 * @param gid the primary group id
 * @param name the user name from the passwd file, or "" when the uid has none
 * @param setpriv the {@code setpriv} binary
 */
public record EnvoyUser(int uid, int gid, String name, Path setpriv) {

  /**
   * Where host facts come from (fixed on Linux, replaced in tests).
   *
   * @param passwd the passwd file
   * @param procStatus {@code /proc/self/status}, for kuma-dp's effective uid
   * @param setprivCandidates where {@code setpriv} is looked for, in order
   */
  public record Host(Path passwd, Path procStatus, List<Path> setprivCandidates) {
    public Host {
      setprivCandidates = List.copyOf(setprivCandidates);
    }

    /** The real host. */
    public static Host system() {
      return new Host(
          Path.of("/etc/passwd"),
          Path.of("/proc/self/status"),
          List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"), Path.of("/usr/sbin/setpriv")));
    }
  }

  /**
   * Decides how Envoy is started for {@code --run-envoy-as}.
   *
   * @param spec the flag's value: a user name, a uid or {@code uid:gid}; "" for no change
   * @return the user to switch to, or empty when Envoy simply runs as kuma-dp (no flag, or kuma-dp
   *     already runs as that user)
   * @throws IllegalArgumentException with one line saying what is wrong and what to do
   */
  public static Optional<EnvoyUser> plan(String spec, Host host) {
    if (spec == null || spec.isBlank()) {
      return Optional.empty();
    }
    List<String[]> passwd = readPasswd(host.passwd());
    int uid;
    int gid;
    String name = "";
    if (spec.matches("[0-9]+(:[0-9]+)?")) {
      String[] ids = spec.split(":");
      uid = Integer.parseInt(ids[0]);
      String[] entry = passwd.stream().filter(e -> e[2].equals(ids[0])).findFirst().orElse(null);
      if (entry != null) {
        name = entry[0];
      }
      gid = ids.length > 1 ? Integer.parseInt(ids[1]) : entry != null ? Integer.parseInt(entry[3]) : uid;
    } else {
      String[] entry = passwd.stream().filter(e -> e[0].equals(spec)).findFirst().orElse(null);
      if (entry == null) {
        throw new IllegalArgumentException(
            "--run-envoy-as: user \"" + spec + "\" does not exist in " + host.passwd()
                + " (create it, e.g. useradd --system --uid 5678 --no-create-home kuma-dp, or pass a numeric uid)");
      }
      name = entry[0];
      uid = Integer.parseInt(entry[2]);
      gid = Integer.parseInt(entry[3]);
    }
    int current = effectiveUid(host.procStatus());
    if (current == uid) {
      return Optional.empty();
    }
    if (current != 0) {
      throw new IllegalArgumentException(
          "--run-envoy-as " + spec + " needs kuma-dp to run as root (it runs as uid " + current
              + "): start kuma-dp as root, or start it as that user (runuser -u " + (name.isEmpty() ? spec : name)
              + " -- kuma-dp run ...) without --run-envoy-as");
    }
    Path setpriv =
        host.setprivCandidates().stream()
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--run-envoy-as needs setpriv (util-linux), which is not installed: install util-linux, or start "
                            + "kuma-dp as the user (runuser -u <user> -- kuma-dp run ...)"));
    return Optional.of(new EnvoyUser(uid, gid, name, setpriv));
  }

  /** The command prefix that starts a program as this user. */
  public List<String> commandPrefix() {
    List<String> cmd = new ArrayList<>();
    cmd.add(setpriv.toString());
    cmd.add("--reuid=" + uid);
    cmd.add("--regid=" + gid);
    cmd.add(name.isEmpty() ? "--clear-groups" : "--init-groups");
    // Changing the uid clears a parent-death signal set earlier (by the launcher's own setpriv), so
    // set it again here; setpriv applies it after switching user.
    cmd.add("--pdeathsig=KILL");
    cmd.add("--");
    return List.copyOf(cmd);
  }

  /** {@code name(uid:gid)} or {@code uid:gid}, for logs. */
  public String describe() {
    return (name.isEmpty() ? "" : name) + "(" + uid + ":" + gid + ")";
  }

  /** Gives a file or directory kuma-dp wrote to this user. */
  public void own(Path path) throws IOException {
    Files.setAttribute(path, "unix:uid", uid);
    Files.setAttribute(path, "unix:gid", gid);
  }

  /**
   * Makes sure Envoy can create its sockets in the work directory: one kuma-dp created is handed
   * to the user; an existing one must already be owned by it or be world-writable (like /tmp).
   *
   * @throws IllegalArgumentException when an existing directory does not allow it
   */
  public void prepareWorkDir(Path workDir, boolean createdByKumaDp) throws IOException {
    if (createdByKumaDp) {
      own(workDir);
      return;
    }
    int owner = (Integer) Files.getAttribute(workDir, "unix:uid");
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(workDir);
    if (owner != uid && !mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalArgumentException(
          "--work-dir " + workDir + " is not writable by uid " + uid + ", which Envoy runs as (--run-envoy-as): "
              + "chown it to that user or leave --work-dir unset");
    }
  }

  private static List<String[]> readPasswd(Path passwd) {
    try {
      List<String[]> out = new ArrayList<>();
      for (String line : Files.readAllLines(passwd)) {
        String[] f = line.split(":", -1);
        if (f.length >= 4 && !line.startsWith("#") && f[2].matches("[0-9]+") && f[3].matches("[0-9]+")) {
          out.add(f);
        }
      }
      return out;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The effective uid from {@code /proc/self/status} ({@code Uid: real effective saved fs}). */
  static int effectiveUid(Path procStatus) {
    try {
      for (String line : Files.readAllLines(procStatus)) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          return Integer.parseInt(f.length > 1 ? f[1] : f[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "--run-envoy-as: cannot tell which user kuma-dp runs as (" + procStatus + ": " + e.getMessage() + ")");
    }
    throw new IllegalArgumentException("--run-envoy-as: no Uid line in " + procStatus);
  }
}
