package io.meshlite.cp.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * RS256 JWTs the way Kuma issues and checks them (pkg/core/tokens): header {@code kid} = the
 * serial of the signing key; {@code iat} and {@code nbf} backdated by {@link #BACKDATE} for clock
 * skew; the key is looked up by {@code kid} and every other algorithm is refused. Failures become
 * {@link TokenRejected} with a message that names the cause.
 */
final class Jwt {
  /** How far {@code iat}/{@code nbf} are set in the past (kuma-dp-spec §4.1). */
  static final Duration BACKDATE = Duration.ofSeconds(5);

  private Jwt() {}

  /**
   * Signs the claims.
   *
   * @param claims the token's own claims, in the order they are written
   * @param now the time of issue
   * @param validFor how long it is valid from now
   * @param jti the token id (what a revocation names)
   */
  static String sign(SigningKey key, Map<String, Object> claims, Instant now, Duration validFor, String jti) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    claims.forEach(b::claim);
    Instant issued = now.minus(BACKDATE);
    b.expirationTime(Date.from(now.plus(validFor)))
        .notBeforeTime(Date.from(issued))
        .issueTime(Date.from(issued))
        .jwtID(jti);
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(Integer.toString(key.serial())).build();
    SignedJWT jwt = new SignedJWT(header, b.build());
    try {
      jwt.sign(new RSASSASigner(key.privateKey()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token with " + key + ": " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * A token read but not trusted yet.
   *
   * @param jwt the parsed token
   * @param kid the serial of the key it names ({@code 0} without {@code kid}, as Kuma's fallback)
   * @param claims its claims
   */
  record Unverified(SignedJWT jwt, int kid, JWTClaimsSet claims) {
    Optional<Instant> issuedAt() {
      return Optional.ofNullable(claims.getIssueTime()).map(Date::toInstant);
    }

    String string(String claim) {
      Object v = claims.getClaim(claim);
      return v instanceof String s ? s : "";
    }

    List<String> strings(String claim) {
      Object v = claims.getClaim(claim);
      if (v instanceof List<?> l) {
        return l.stream().map(String::valueOf).toList();
      }
      return List.of();
    }

    String id() {
      return claims.getJWTID() == null ? "" : claims.getJWTID();
    }
  }

  /**
   * Parses a token without trusting it.
   *
   * @param what what the token is for messages ("dataplane token")
   * @param how the command that issues a good token, for messages
   */
  static Unverified parse(String token, String what, String how) {
    if (token == null || token.isBlank()) {
      throw new TokenRejected("the " + what + " is empty: " + how);
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token.strip());
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new TokenRejected("the " + what + " is malformed (" + oneLine(e.getMessage()) + "): " + how);
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!JWSAlgorithm.RS256.equals(alg)) {
      throw new TokenRejected(
          "the " + what + " is signed with " + alg + ", but only RS256 tokens issued by kuma-cp are accepted: " + how);
    }
    OptionalInt kid = kid(jwt.getHeader().getKeyID());
    if (kid.isEmpty()) {
      throw new TokenRejected(
          "the " + what + "'s kid header \"" + jwt.getHeader().getKeyID() + "\" is not a signing key serial number: " + how);
    }
    return new Unverified(jwt, kid.getAsInt(), claims);
  }

  /**
   * Checks the signature with the key its {@code kid} names, then the validity period.
   *
   * @throws TokenRejected naming the key, the cause (forged, key removed or replaced, expired) and
   *     what to do
   */
  static void verify(Unverified t, SigningKeys keys, KeyFamily family, Instant now, String what, String how) {
    Optional<SigningKey> key = keys.get(family, t.kid());
    String keyName = family.describe(t.kid());
    if (key.isEmpty()) {
      List<SigningKey> all = keys.all(family);
      boolean olderThanEveryKey =
          t.issuedAt().isPresent() && !all.isEmpty() && issuedBefore(t.issuedAt().get(), all.get(0));
      if (olderThanEveryKey) {
        throw new TokenRejected(keyName + " does not exist any more (the control plane's memory store was reset?): " + how);
      }
      if (all.isEmpty()) {
        throw new TokenRejected(
            keyName + " does not exist (there is no signing key for " + family.what()
                + "; was the control plane's memory store reset?): " + how);
      }
      throw new TokenRejected(
          keyName + " does not exist (no " + family.kind() + " " + family.secretName(t.kid())
              + "; was the key rotated away?): " + how);
    }
    boolean valid;
    try {
      valid = t.jwt().verify(new RSASSAVerifier(key.get().publicKey()));
    } catch (JOSEException e) {
      valid = false;
    }
    if (!valid) {
      if (t.issuedAt().isPresent() && issuedBefore(t.issuedAt().get(), key.get())) {
        // Issued before this key existed: the key that signed it is gone and another took its serial.
        throw new TokenRejected(keyName + " does not exist any more (the control plane's memory store was reset?): " + how);
      }
      throw new TokenRejected(
          "the " + what + "'s signature does not match " + keyName + " (forged, or issued by another control plane): "
              + how);
    }
    Date exp = t.claims().getExpirationTime();
    if (exp == null) {
      throw new TokenRejected("the " + what + " has no expiry (exp): " + how);
    }
    if (!now.isBefore(exp.toInstant())) {
      throw new TokenRejected("the " + what + " expired at " + exp.toInstant() + ": " + how);
    }
    Date nbf = t.claims().getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant())) {
      throw new TokenRejected("the " + what + " is not valid before " + nbf.toInstant() + " (check the clocks)");
    }
  }

  /** True when a token issued at {@code iat} is older than the key (allowing for the backdating). */
  private static boolean issuedBefore(Instant iat, SigningKey key) {
    // iat is truncated to seconds and backdated: a token signed by the key has iat > created - 6s.
    return iat.plus(BACKDATE).plusSeconds(1).isBefore(key.created());
  }

  private static OptionalInt kid(String kid) {
    if (kid == null) {
      return OptionalInt.of(0);
    }
    if (kid.isEmpty() || kid.length() > 9 || !kid.chars().allMatch(Character::isDigit)) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(kid));
  }

  private static String oneLine(String s) {
    return s == null ? "unreadable" : s.replaceAll("\\s+", " ").strip();
  }
}
