package io.meshlite.api.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MtlsSpecTest {

  private static Resource mesh(String yaml) {
    return ResourceCodec.parse("type: Mesh\nname: demo\n" + yaml);
  }

  private static ValidationException invalid(String yaml) {
    try {
      Specs.validate(mesh(yaml));
    } catch (ValidationException e) {
      return e;
    }
    throw new AssertionError("expected a validation error for:\n" + yaml);
  }

  @Test
  void noMtlsMeansOff() {
    MtlsSpec s = MtlsSpec.parse(mesh("").spec());
    assertThat(s.enabled()).isEmpty();
    assertThat(s.backends()).isEmpty();
  }

  @Test
  void builtinBackendGetsKumaDefaults() {
    MtlsSpec s =
        MtlsSpec.parse(
            mesh(
                    """
                    mtls:
                      enabledBackend: ca-1
                      backends:
                      - name: ca-1
                        type: builtin
                    """)
                .spec());
    MtlsSpec.Backend b = s.enabled().orElseThrow();
    assertThat(b.name()).isEqualTo("ca-1");
    assertThat(b.mode()).isEqualTo(MtlsSpec.Mode.STRICT);
    assertThat(b.dpCertExpiration()).isEqualTo(Duration.ofHours(24));
    assertThat(b.builtin().orElseThrow().rsaBits()).isEqualTo(2048);
    assertThat(b.builtin().orElseThrow().caExpiration()).isEqualTo(Duration.ofDays(3650));
  }

  @Test
  void readsDurationsInKumaAndGoSyntax() {
    MtlsSpec s =
        MtlsSpec.parse(
            mesh(
                    """
                    mtls:
                      enabledBackend: ca-1
                      backends:
                      - name: ca-1
                        type: builtin
                        mode: PERMISSIVE
                        dpCert: {rotation: {expiration: 1d}}
                        conf: {caCert: {RSAbits: 4096, expiration: 2y}}
                      - name: ca-2
                        type: builtin
                        dpCert: {rotation: {expiration: 1h30m}}
                    """)
                .spec());
    assertThat(s.backends().get(0).dpCertExpiration()).isEqualTo(Duration.ofDays(1));
    assertThat(s.backends().get(0).mode()).isEqualTo(MtlsSpec.Mode.PERMISSIVE);
    assertThat(s.backends().get(0).builtin().orElseThrow().rsaBits()).isEqualTo(4096);
    assertThat(s.backends().get(0).builtin().orElseThrow().caExpiration()).isEqualTo(Duration.ofDays(730));
    assertThat(s.backends().get(1).dpCertExpiration()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void providedBackendReadsEveryKindOfDataSource() {
    MtlsSpec s =
        MtlsSpec.parse(
            mesh(
                    """
                    mtls:
                      enabledBackend: p-1
                      backends:
                      - name: p-1
                        type: provided
                        conf:
                          cert: {secret: my-ca-cert}
                          key: {inline: aGVsbG8=}
                      - name: p-2
                        type: provided
                        conf:
                          cert: {file: /etc/ca.pem}
                          key: {inlineString: "-----BEGIN..."}
                    """)
                .spec());
    MtlsSpec.ProvidedConf p1 = s.backends().get(0).provided().orElseThrow();
    assertThat(p1.cert()).isEqualTo(new MtlsSpec.DataSource(MtlsSpec.DataSource.Kind.SECRET, "my-ca-cert"));
    assertThat(p1.key()).isEqualTo(new MtlsSpec.DataSource(MtlsSpec.DataSource.Kind.INLINE, "hello"));
    assertThat(p1.key().toString()).doesNotContain("hello");
    MtlsSpec.ProvidedConf p2 = s.backends().get(1).provided().orElseThrow();
    assertThat(p2.cert().kind()).isEqualTo(MtlsSpec.DataSource.Kind.FILE);
    assertThat(p2.key().kind()).isEqualTo(MtlsSpec.DataSource.Kind.INLINE_STRING);
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    ValidationException e =
        invalid(
            """
            mtls:
              enabledBackend: nope
              backends:
              - name: ca-1
                type: builtin
                mode: LAX
                dpCert: {rotation: {expiration: soon}}
                conf: {caCert: {RSAbits: 512}}
              - name: ca-1
                type: provided
                conf:
                  cert: {secret: a, file: /b}
              - name: ca-3
                type: vault
            """);
    assertThat(e.violations())
        .containsExactlyInAnyOrder(
            new Violation("mtls.backends[0].mode", "\"LAX\" is not valid (expected: STRICT or PERMISSIVE)"),
            new Violation(
                "mtls.backends[0].dpCert.rotation.expiration",
                "\"soon\" is not a valid duration (expected e.g. 1d, 24h, 90m, 10y)"),
            new Violation("mtls.backends[0].conf.caCert.RSAbits", "must be between 1024 and 8192 (default 2048)"),
            new Violation("mtls.backends[1].name", "\"ca-1\" is used by another backend"),
            new Violation(
                "mtls.backends[1].conf.cert", "only one data source can be set (secret, file, inline or inlineString)"),
            new Violation("mtls.backends[1].conf.key", "has to be defined"),
            new Violation("mtls.backends[2].type", "\"vault\" is not valid (expected: builtin or provided)"),
            new Violation("mtls.enabledBackend", "has to be set to one of the backends in the mesh"));
  }

  @Test
  void anEmptyDataSourceSaysWhichSourcesExist() {
    ValidationException e =
        invalid(
            """
            mtls:
              backends:
              - name: p
                type: provided
                conf: {cert: {}, key: {inline: "!!!"}}
            """);
    assertThat(e.violations())
        .containsExactly(
            new Violation(
                "mtls.backends[0].conf.cert",
                "data source has to be chosen. Available sources: secret, file, inline, inlineString"),
            new Violation("mtls.backends[0].conf.key.inline", "must be base64"));
  }

  @Test
  void durationsMustBePositive() {
    for (String bad : new String[] {"0s", "-1h"}) {
      String yaml = "mtls:\n  backends:\n  - name: ca-1\n    type: builtin\n    dpCert: {rotation: {expiration: " + bad + "}}\n";
      assertThat(invalid(yaml).violations())
          .containsExactly(new Violation("mtls.backends[0].dpCert.rotation.expiration", "must be positive (got \"" + bad + "\")"));
    }
  }
}
