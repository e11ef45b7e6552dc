package io.meshlite.cp.tokens;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.manager.ManagerException;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the signing keys Kuma creates by itself: a dataplane token key (serial 1) for every Mesh
 * — at start for the Meshes that exist, then for each new Mesh as its creation event arrives — the
 * user token key, and the admin user token in GlobalSecret {@value #ADMIN_TOKEN_SECRET}. Works
 * alongside other control plane instances on one store (whoever creates first wins).
 */
public final class TokenDefaults implements Component {
  /** The GlobalSecret holding the admin user token (Kuma's name). */
  public static final String ADMIN_TOKEN_SECRET = "admin-user-token";

  /** Validity of the bootstrapped admin token (Kuma: 10 years). */
  static final Duration ADMIN_TOKEN_VALIDITY = Duration.ofDays(3650);

  private static final Logger log = LoggerFactory.getLogger(TokenDefaults.class);

  private final ResourceManager manager;
  private final SigningKeys keys;
  private final UserTokens userTokens;
  private final boolean dataplaneKeys;
  private final boolean adminToken;
  private final int apiPort;
  private ExecutorService worker;
  private ResourceStore.Subscription subscription;
  private volatile boolean started;

  /**
   * @param dataplaneKeys create dataplane token keys (off when proxies need no tokens)
   * @param adminToken create the admin user token ({@code apiServer.authn.tokens.bootstrapAdminToken})
   * @param apiPort the API port named in the log line that tells how to read the admin token
   */
  public TokenDefaults(
      ResourceManager manager, SigningKeys keys, UserTokens userTokens, boolean dataplaneKeys, boolean adminToken, int apiPort) {
    this.manager = manager;
    this.keys = keys;
    this.userTokens = userTokens;
    this.dataplaneKeys = dataplaneKeys;
    this.adminToken = adminToken;
    this.apiPort = apiPort;
  }

  @Override
  public synchronized void start() {
    if (started) {
      return;
    }
    worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("token-defaults").daemon().factory());
    if (dataplaneKeys) {
      subscription = manager.store().subscribe(this::onEvent);
      for (Resource mesh : manager.store().list(ResourceTypes.MESH_TYPE, null)) {
        ensureMeshKey(mesh.name());
      }
    }
    keys.latestOrCreate(KeyFamily.user());
    if (adminToken) {
      ensureAdminToken();
    }
    started = true;
  }

  @Override
  public synchronized void stop() {
    if (!started) {
      return;
    }
    started = false;
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
    worker.shutdownNow();
  }

  @Override
  public boolean ready() {
    return started;
  }

  @Override
  public String toString() {
    return "token-defaults";
  }

  private void onEvent(StoreEvent e) {
    if (e.kind() != StoreEvent.Kind.CREATED || !e.key().type().equals(ResourceTypes.MESH_TYPE.name())) {
      return;
    }
    try {
      worker.execute(() -> ensureMeshKey(e.key().name()));
    } catch (RejectedExecutionException stopping) {
      // shutting down
    }
  }

  private void ensureMeshKey(String mesh) {
    KeyFamily family = KeyFamily.dataplane(mesh);
    try {
      if (keys.all(family).isEmpty()) {
        keys.create(family, 1);
      }
    } catch (ManagerException.MeshNotFound e) {
      log.debug("mesh deleted before its signing key was created mesh={}", mesh);
    } catch (RuntimeException e) {
      log.warn("could not create the dataplane token signing key mesh={} error={}", mesh, e.toString());
    }
  }

  private void ensureAdminToken() {
    if (manager.get(ResourceTypes.GLOBAL_SECRET, "", ADMIN_TOKEN_SECRET).isPresent()) {
      return;
    }
    String token =
        userTokens.issue(new UserTokens.User(UserTokens.ADMIN, List.of(UserTokens.ADMIN)), ADMIN_TOKEN_VALIDITY);
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("data", Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.US_ASCII)));
    try {
      manager.create(new Resource(ResourceTypes.GLOBAL_SECRET, "", ADMIN_TOKEN_SECRET, ResourceMeta.draft(Map.of()), spec));
      log.info(
          "admin user token created in GlobalSecret {}. To read it on this host: curl -s http://localhost:{}/globalsecrets/{} "
              + "| jq -r .data | base64 -d ; then configure kumactl with it: kumactl config control-planes add --name cp "
              + "--address http://<host>:{} --auth-type tokens --auth-conf token=<TOKEN>. Disable with "
              + "KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN=false",
          ADMIN_TOKEN_SECRET, apiPort, ADMIN_TOKEN_SECRET, apiPort);
    } catch (StoreException.AlreadyExists e) {
      // another instance was first
    }
  }
}
