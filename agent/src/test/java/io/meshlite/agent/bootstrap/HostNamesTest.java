package io.meshlite.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {
  private static List<?> dns(String name) {
    return List.of(2, name);
  }

  private static List<?> ip(String address) {
    return List.of(7, address);
  }

  @Test
  void anIpAddressMustBeAnIpAddressName() {
    assertThatCode(() -> HostNames.verify("127.0.0.1", List.of(dns("localhost"), ip("127.0.0.1")), () -> null))
        .doesNotThrowAnyException();
    assertThatCode(() -> HostNames.verify("::1", List.of(ip("0:0:0:0:0:0:0:1")), () -> null)).doesNotThrowAnyException();
    assertThatCode(() -> HostNames.verify("[::1]", List.of(ip("0:0:0:0:0:0:0:1")), () -> null)).doesNotThrowAnyException();
    assertThatThrownBy(() -> HostNames.verify("127.0.0.2", List.of(ip("127.0.0.1")), () -> null))
        .isInstanceOf(CertificateException.class)
        .hasMessage("No subject alternative names matching IP address 127.0.0.2 found");
    // a DNS name or a common name that spells the address does not count, as in the JDK
    assertThatThrownBy(() -> HostNames.verify("10.0.0.1", List.of(dns("10.0.0.1")), () -> "10.0.0.1"))
        .hasMessageContaining("No subject alternative names matching IP address");
    assertThatThrownBy(() -> HostNames.verify("10.0.0.1", List.of(), () -> "10.0.0.1"))
        .hasMessageContaining("No subject alternative names matching IP address");
  }

  @Test
  void aHostNameMustBeADnsName() {
    assertThatCode(() -> HostNames.verify("CP.Example.com.", List.of(ip("10.0.0.1"), dns("cp.example.com")), () -> null))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> HostNames.verify("other.example.com", List.of(dns("cp.example.com")), () -> "other.example.com"))
        .isInstanceOf(CertificateException.class)
        .hasMessage("No subject alternative DNS name matching other.example.com found.");
  }

  @Test
  void theCommonNameCountsOnlyWithoutDnsNames() {
    assertThatCode(() -> HostNames.verify("cp.example.com", List.of(ip("10.0.0.1")), () -> "cp.example.com"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> HostNames.verify("cp.example.com", List.of(), () -> "other"))
        .hasMessage("No name matching cp.example.com found");
    assertThatThrownBy(() -> HostNames.verify("cp.example.com", List.of(), () -> null))
        .hasMessage("No subject alternative DNS name matching cp.example.com found.");
  }

  @ParameterizedTest
  @CsvSource({
    "cp.example.com, *.example.com, true",
    "CP.EXAMPLE.COM, *.Example.com, true",
    "a.b.example.com, *.example.com, false",
    "example.com, *.example.com, false",
    "cp.example.com, *.com, false",
    "cp.com, *.com, false",
    "cp.example.com, c*.example.com, false",
    "cp.example.com, *.*.com, false",
    "cp.example.com, cp.*.com, false",
    "cp.example.com, cp.example.com., true",
  })
  void wildcardsCoverExactlyOneLeftmostLabel(String host, String pattern, boolean matches) {
    assertThat(HostNames.matches(host.toLowerCase(java.util.Locale.ROOT), pattern)).isEqualTo(matches);
  }
}
