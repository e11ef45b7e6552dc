package io.meshlite.agent.support;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway self-signed EC (P-256) server certificate made by the running JDK's {@code keytool}:
 * for the AOT training run's stand-in control plane and for tests of the TLS transport.
 *
 * @param server a TLS context that serves the certificate
 * @param pem the certificate (the CA a client should trust), PEM
 */
public record KeytoolCert(SSLContext server, Path pem) {
  private static final String PASS = "throwaway";

  /**
   * Makes {@code <name>.p12} and {@code <name>.pem} in {@code dir}.
   *
   * @param dname e.g. {@code CN=127.0.0.1}
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
    run(keytool, "-genkeypair", "-alias", "cp", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
        "SHA256withECDSA", "-dname", dname, "-ext", san, "-validity", "2", "-keystore", store.toString(),
        "-storetype", "PKCS12", "-storepass", PASS);
    run(keytool, "-exportcert", "-rfc", "-alias", "cp", "-keystore", store.toString(), "-storepass", PASS,
        "-file", pem.toString());
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

  private static void run(Path keytool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(keytool.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + ")");
    }
  }
}
