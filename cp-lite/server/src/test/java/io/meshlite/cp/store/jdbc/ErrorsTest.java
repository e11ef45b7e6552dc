package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void thePoolTimeoutGivesWayToTheDriversReason() {
    SQLException driver =
        new SQLException(
            "Connection to 127.0.0.1:5432 refused. Check that the hostname\nand port are correct.",
            "08001");
    SQLException pool =
        new SQLTransientConnectionException(
            "kuma-store - Connection is not available, request timed out after 1000ms",
            "08003",
            driver);

    assertThat(Errors.unavailable("postgres store at 127.0.0.1:5432/kuma", "list Mesh", pool))
        .isEqualTo(
            "postgres store at 127.0.0.1:5432/kuma is unavailable (list Mesh): Connection to"
                + " 127.0.0.1:5432 refused. Check that the hostname and port are correct.");
    assertThat(PostgresDialect.INSTANCE.isUnavailable(pool)).isTrue();
  }

  @Test
  void aPoolTimeoutWithoutCauseIsReportedAsIs() {
    SQLException pool =
        new SQLTransientConnectionException(
            "kuma-store - Connection is not available, request timed out after 1000ms (total=50,"
                + " active=50)");

    assertThat(Errors.rootMessage(pool)).contains("total=50, active=50");
  }

  @Test
  void tlsFailuresGetAHint() {
    SQLException e =
        new SQLException(
            "SSL error: PKIX path building failed", "08006", new SSLHandshakeException("x"));

    assertThat(Errors.isTls(e)).isTrue();
    assertThat(Errors.unavailable("t", "w", e))
        .contains("TLS check failed")
        .contains("KUMA_STORE_POSTGRES_TLS_");
    assertThat(Errors.isTls(new SQLException("Connection refused", "08001"))).isFalse();
  }

  @Test
  void postgresClassifiesStates() {
    assertThat(PostgresDialect.INSTANCE.isUnavailable(new SQLException("x", "57P01"))).isTrue();
    assertThat(PostgresDialect.INSTANCE.isUnavailable(new SQLException("x", "28P01"))).isTrue();
    assertThat(PostgresDialect.INSTANCE.isUnavailable(new SQLException("x", "3D000"))).isTrue();
    assertThat(PostgresDialect.INSTANCE.isUnavailable(new SQLException("x", "23505"))).isFalse();
    assertThat(PostgresDialect.INSTANCE.isRetryable(new SQLException("x", "40001"))).isTrue();
    assertThat(PostgresDialect.INSTANCE.isRetryable(new SQLException("x", "40P01"))).isTrue();
  }
}
