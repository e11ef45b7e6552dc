package io.meshlite.cp.store.jdbc;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.Socket;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * pgjdbc's own TLS socket factory (same {@code sslmode}, certificates and keys) with the SNI
 * extension switched off: Kuma's {@code store.postgres.tls.disableSSLSNI} ({@code sslsni=0}).
 * pgjdbc instantiates it by name through the {@code sslfactory} property, hence public.
 */
public final class NoSniSslSocketFactory extends SSLSocketFactory {
  private final SSLSocketFactory delegate;

  /** Called by pgjdbc with the connection properties. */
  public NoSniSslSocketFactory(Properties info) throws SQLException {
    this.delegate = libpqFactory(info);
  }

  // Loaded reflectively: the class carries annotations whose classes are not on our compile path.
  private static SSLSocketFactory libpqFactory(Properties info) throws SQLException {
    try {
      return (SSLSocketFactory)
          Class.forName("org.postgresql.ssl.LibPQFactory")
              .getConstructor(Properties.class)
              .newInstance(info);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException se) {
        throw se;
      }
      throw new SQLException("cannot set up TLS: " + e.getCause(), "08006", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new SQLException("pgjdbc's LibPQFactory is missing: " + e, "08006", e);
    }
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return withoutSni(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return withoutSni(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return withoutSni(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return withoutSni(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return withoutSni(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static Socket withoutSni(Socket s) {
    if (s instanceof SSLSocket ssl) {
      SSLParameters p = ssl.getSSLParameters();
      p.setServerNames(List.of());
      ssl.setSSLParameters(p);
    }
    return s;
  }
}
