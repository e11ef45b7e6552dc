package io.meshlite.cp.tokens;

import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.tls.CpTls;
import io.meshlite.cp.tls.CpTlsLoader;
import io.meshlite.cp.tls.CpTlsSettings;
import io.meshlite.cp.tokens.api.ApiSecurity;
import io.meshlite.cp.tokens.dp.DpAuthenticator;
import io.meshlite.cp.tokens.dp.DpSecurity;
import io.meshlite.cp.tokens.dp.ProxyAuthenticator;
import io.meshlite.cp.tokens.dp.ProxyAuthenticators;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's security, wired from the config: its TLS identity, the signing keys and
 * admin token it creates, and what the dataplane server ({@link #dpServer()}) and the API server
 * ({@link #api()}) need. Start it before both servers: it loads (or generates) the TLS identity and
 * creates the default keys.
 */
public final class CpSecurity implements Component {
  /** The file the CA is written to for users, in {@code general.workDir} (Kuma's name for its cert). */
  public static final String CA_FILE = CpTlsLoader.CA_CERT_FILE;

  private final ResourceManager manager;
  private final Clock clock;
  private final CpTlsSettings tlsSettings;
  private final Optional<CpTlsSettings> apiTlsSettings;
  private final TokenDefaults defaults;
  private final DpSecurity dpSecurity;
  private final ApiSecurity apiSecurity;
  private volatile CpTls tls;
  private volatile CpTls apiTls;

  private CpSecurity(CpConfig config, ResourceManager manager, Clock clock, List<ProxyAuthenticator> environmentChecks) {
    this.manager = manager;
    this.clock = clock;
    CpConfig.General g = config.general();
    String cert = orElse(config.dpServer().tlsCertFile(), g.tlsCertFile());
    String key = orElse(config.dpServer().tlsKeyFile(), g.tlsKeyFile());
    List<String> extra = Arrays.stream(g.tlsExtraSans().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    this.tlsSettings =
        new CpTlsSettings(
            path(cert), path(key), path(g.tlsCaFile()), CpTlsSettings.defaultNames(extra),
            Optional.of(config.workDir()));
    CpConfig.TlsListener https = config.apiServer().https();
    this.apiTlsSettings =
        https.tlsCertFile().isBlank()
            ? Optional.empty()
            : Optional.of(
                new CpTlsSettings(
                    path(https.tlsCertFile()), path(https.tlsKeyFile()), path(g.tlsCaFile()), List.of(), Optional.empty()));

    SigningKeys keys = new SigningKeys(manager);
    Revocations revocations = new Revocations(manager);
    DataplaneTokens dataplaneTokens = new DataplaneTokens(keys, revocations, clock);
    UserTokens userTokens = new UserTokens(keys, revocations, clock);

    List<ProxyAuthenticator> checks = new ArrayList<>();
    checks.add(new DpAuthenticator(dataplaneTokens, manager.store()));
    checks.addAll(environmentChecks);
    ProxyAuthenticator authenticator = ProxyAuthenticators.of(checks).select(config.dpProxyAuthType()).orElse(null);
    this.dpSecurity =
        new DpSecurity(
            () -> tls, authenticator, config.dpServer().authn().enableReloadableTokens(), manager.store(), clock);

    CpConfig.ApiServerAuthn authn = config.apiServer().authn();
    boolean tokens = authn.type().equals("tokens");
    this.apiSecurity =
        new ApiSecurity(
            new ApiSecurity.Settings(
                true,
                authn.localhostIsAdmin(),
                tokens,
                path(config.apiServer().auth().clientCertsDir()),
                https.enabled() ? Optional.of(new InetSocketAddress(https.iface(), https.port())) : Optional.empty()),
            () -> apiTls != null ? apiTls : tls,
            dataplaneTokens,
            userTokens);
    this.defaults =
        new TokenDefaults(
            manager, keys, userTokens, true, tokens && authn.tokens().bootstrapAdminToken(), config.apiServer().http().port());
  }

  /**
   * Wires the security parts; nothing is read or generated yet.
   *
   * @throws ConfigException when the dataplane authentication type cannot be used here
   */
  public static CpSecurity create(CpConfig config, ResourceManager manager, Clock clock) {
    return create(config, manager, clock, List.of());
  }

  /**
   * Wires the security parts with the proxy credential checks that only some environments offer
   * (on Kubernetes: {@code serviceAccountToken}); {@code dpToken} is always offered.
   *
   * @throws ConfigException when {@code dpServer.authn.dpProxy.type} names a check that is not
   *     offered here
   */
  public static CpSecurity create(
      CpConfig config, ResourceManager manager, Clock clock, List<ProxyAuthenticator> environmentChecks) {
    return new CpSecurity(config, manager, clock, environmentChecks);
  }

  @Override
  public void start() {
    tls = CpTlsLoader.load(tlsSettings, manager, clock);
    if (apiTlsSettings.isPresent()) {
      apiTls = CpTlsLoader.load(apiTlsSettings.get(), manager, clock);
    }
    defaults.start();
  }

  @Override
  public void stop() {
    defaults.stop();
  }

  @Override
  public boolean ready() {
    return tls != null && defaults.ready();
  }

  @Override
  public String toString() {
    return "security";
  }

  /** TLS and token authentication for the dataplane server. */
  public DpSecurity dpServer() {
    return dpSecurity;
  }

  /** Authentication, token endpoints and HTTPS for the API server. */
  public ApiSecurity api() {
    return apiSecurity;
  }

  /** The TLS identity, once started. */
  public Optional<CpTls> tls() {
    return Optional.ofNullable(tls);
  }

  private static String orElse(String a, String b) {
    return a == null || a.isBlank() ? b : a;
  }

  private static Optional<Path> path(String p) {
    return p == null || p.isBlank() ? Optional.empty() : Optional.of(Path.of(p));
  }
}
