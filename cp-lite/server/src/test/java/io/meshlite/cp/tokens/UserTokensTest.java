package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserTokensTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final MemoryStore store = new MemoryStore(clock);
  private final ResourceManager manager = new ResourceManager(store, new ResourceManager.Settings(false, 0, Duration.ZERO));
  private final SigningKeys keys = new SigningKeys(manager);
  private final UserTokens tokens = new UserTokens(keys, new Revocations(manager), clock);

  @Test
  void aUserTokenNamesItsUserAndGroups() throws Exception {
    String token = tokens.issue(new UserTokens.User("john.doe@example.com", List.of("users")), Duration.ofHours(1));

    assertThat(Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("Groups").toString())
        .isEqualTo("[\"users\"]");
    UserTokens.User u = tokens.authenticate(token);
    assertThat(u).isEqualTo(new UserTokens.User("john.doe@example.com", List.of("users")));
    assertThat(u.admin()).isFalse();
    assertThat(manager.get(ResourceTypes.GLOBAL_SECRET, "", "user-token-signing-key-1")).isPresent();
  }

  @Test
  void theAdminGroupMakesAnAdmin() {
    String token = tokens.issue(new UserTokens.User("ops", List.of(UserTokens.ADMIN)), Duration.ofHours(1));

    assertThat(tokens.authenticate(token).admin()).isTrue();
  }

  @Test
  void expiredAndRevokedUserTokensAreRefused() throws Exception {
    String expiring = tokens.issue(new UserTokens.User("a", List.of()), Duration.ofMinutes(1));
    String revoked = tokens.issue(new UserTokens.User("b", List.of()), Duration.ofHours(1));
    String jti = Json.mapper().readTree(Base64.getUrlDecoder().decode(revoked.split("\\.")[1])).path("jti").asText();
    manager.upsert(
        ResourceCodec.parse(
            "type: GlobalSecret\nname: user-token-revocations\ndata: "
                + Base64.getEncoder().encodeToString(jti.getBytes(StandardCharsets.UTF_8))));

    assertThatThrownBy(() -> tokens.authenticate(revoked)).hasMessageStartingWith("the user token was revoked");
    clock.advance(Duration.ofMinutes(2));
    assertThatThrownBy(() -> tokens.authenticate(expiring)).hasMessageStartingWith("the user token expired at");
  }
}
