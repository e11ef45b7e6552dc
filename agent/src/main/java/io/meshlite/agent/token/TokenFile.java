package io.meshlite.agent.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * The dataplane token kuma-dp uses, kept in its own file ({@code <workdir>/<dataplane name>}, mode
 * 0600, as Kuma keeps an inline token). That file is what the bootstrap request names as {@code
 * dataplaneTokenPath} and what Envoy reads in the reloadable form; it always holds one token on one
 * line, whatever the user's file looks like. The token comes from {@code --dataplane-token} or
 * {@code --dataplane-token-file}.
 */
public final class TokenFile {
  private final String inline;
  private final Path source;
  private final Path file;
  private String installed;

  /**
   * @param inline {@code --dataplane-token}, or null
   * @param source {@code --dataplane-token-file}, or null
   * @param file kuma-dp's copy in its work directory
   */
  public TokenFile(String inline, Path source, Path file) {
    this.inline = inline;
    this.source = source;
    this.file = file;
  }

  /** True when kuma-dp was given a token at all. */
  public boolean present() {
    return inline != null || source != null;
  }

  /** The user's token file (followed for changes), if any. */
  public Optional<Path> source() {
    return Optional.ofNullable(source);
  }

  /** kuma-dp's copy: what the control plane and Envoy are told to read. */
  public Path path() {
    return file;
  }

  /**
   * The token as given now: the inline value, or the source file's content without surrounding
   * white space.
   *
   * @throws IOException naming the file when it cannot be read
   */
  public String read() throws IOException {
    if (inline != null) {
      return inline.strip();
    }
    try {
      return Files.readString(source, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IOException("cannot read the dataplane token " + source + ": " + e.getMessage(), e);
    }
  }

  /** The token in kuma-dp's copy, or null before one was installed. */
  public synchronized String installed() {
    return installed;
  }

  /**
   * Reads the token and installs it when it changed (used before Envoy runs, so every bootstrap
   * attempt sees the current token).
   */
  public synchronized String refresh() throws IOException {
    String t = read();
    if (!t.equals(installed)) {
      install(t);
    }
    return t;
  }

  /** Writes the token to kuma-dp's copy atomically (0600). */
  public synchronized void install(String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".token", ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
    Files.writeString(tmp, token, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    installed = token;
  }

  /**
   * Checks what kuma-dp checks of a token (as Kuma): one line, three base64url parts, a JSON
   * header with {@code alg}. The signature is the control plane's business.
   *
   * @return the problem, or empty when it looks like a JWT
   */
  public static Optional<String> problem(String token) {
    if (token.isEmpty()) {
      return Optional.of("it is empty");
    }
    if (token.contains("\n") || token.contains("\r")) {
      return Optional.of("it spans several lines (expected: one JWT)");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.of("it is not a JWT (expected: three parts separated by dots)");
    }
    String header;
    try {
      header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.of("its header is not base64url");
    }
    if (!header.contains("\"alg\"")) {
      return Optional.of("its header names no signing algorithm (alg)");
    }
    return Optional.empty();
  }
}
