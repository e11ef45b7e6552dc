package io.meshlite.kumactl.client;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Converts between PKCS#1 {@code RSAPrivateKey} and PKCS#8 {@code PrivateKeyInfo} DER, the two
 * forms of an RSA private key (Kuma writes PKCS#1; the JDK reads and writes PKCS#8).
 */
public final class Pkcs1 {
  /** AlgorithmIdentifier { rsaEncryption, NULL }. */
  private static final byte[] RSA_ALGORITHM = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
  };

  private Pkcs1() {}

  /** Wraps a PKCS#1 key into PKCS#8: SEQUENCE { INTEGER 0, algorithm, OCTET STRING pkcs1 }. */
  public static byte[] toPkcs8(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(RSA_ALGORITHM);
    body.writeBytes(tlv(0x04, pkcs1));
    return tlv(0x30, body.toByteArray());
  }

  /**
   * The PKCS#1 key inside a PKCS#8 RSA key (the OCTET STRING after the version and algorithm).
   *
   * @throws IllegalArgumentException when the DER is not an RSA PrivateKeyInfo
   */
  public static byte[] fromPkcs8(byte[] pkcs8) {
    int[] pos = {0};
    expect(pkcs8, pos, 0x30);
    length(pkcs8, pos);
    expect(pkcs8, pos, 0x02);
    int versionLength = length(pkcs8, pos);
    pos[0] += versionLength;
    int algStart = pos[0];
    expect(pkcs8, pos, 0x30);
    int algLength = length(pkcs8, pos);
    pos[0] += algLength;
    if (!Arrays.equals(Arrays.copyOfRange(pkcs8, algStart, pos[0]), RSA_ALGORITHM)) {
      throw new IllegalArgumentException("not an RSA key");
    }
    expect(pkcs8, pos, 0x04);
    int len = length(pkcs8, pos);
    return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + len);
  }

  private static void expect(byte[] der, int[] pos, int tag) {
    if (pos[0] >= der.length || (der[pos[0]] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER at " + pos[0]);
    }
    pos[0]++;
  }

  private static int length(byte[] der, int[] pos) {
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
