package io.meshlite.agent.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate chain made by the running JDK's {@code keytool}, shaped as kuma-cp's own:
 * an RSA-2048 CA and an RSA-2048 server certificate it signs. For the AOT training run's stand-in
 * control plane (so the cache holds what a real start runs: certificate-path validation and RSA
 * signatures, which a self-signed certificate that is its own trust anchor skips) and for tests of
 * the TLS transport.
 *
 * @param server a TLS context that serves the server certificate and its chain
 * @param pem the CA certificate (what a client should trust), PEM
 */
public record KeytoolCert(SSLContext server, Path pem) {
  private static final String PASS = "throwaway";

  /**
   * Makes {@code <name>.p12} (the server's key and chain) and {@code <name>.pem} (the CA) in {@code dir}.
   *
   * @param dname the server certificate's subject, e.g. {@code CN=127.0.0.1}
   * @param san keytool's subject-alternative-name extension, e.g. {@code san=ip:127.0.0.1}
   * @throws IOException when the JDK has no keytool or keytool fails
   */
  public static KeytoolCert create(Path dir, String name, String dname, String san)
      throws IOException, GeneralSecurityException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(keytool)) {
      throw new IOException("no keytool in " + keytool.getParent());
    }
    Path store = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    // SHA256withRSA as kuma-cp signs (keytool's default for a 2048-bit key is SHA384withRSA)
    run(keytool, store, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-sigalg",
        "SHA256withRSA", "-dname", "CN=" + name + " CA", "-ext", "bc:c", "-validity", "2");
    run(keytool, store, "-genkeypair", "-alias", "cp", "-keyalg", "RSA", "-keysize", "2048", "-sigalg",
        "SHA256withRSA", "-signer", "ca", "-dname", dname, "-ext", san, "-ext", "ku:c=digitalSignature,keyEncipherment",
        "-ext", "eku=serverAuth", "-validity", "2");
    run(keytool, store, "-exportcert", "-rfc", "-alias", "ca", "-file", pem.toString());
    // the server's key store keeps the chain only: with the CA's key in it, the server could present the CA
    run(keytool, store, "-delete", "-alias", "ca");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASS.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASS.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return new KeytoolCert(ctx, pem);
  }

  private static void run(Path keytool, Path store, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(keytool.toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close(); // nothing to answer: a prompt fails instead of waiting
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + output);
    }
  }
}
