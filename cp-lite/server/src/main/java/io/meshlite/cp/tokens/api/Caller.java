package io.meshlite.cp.tokens.api;

import io.meshlite.cp.tokens.UserTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sent an API request, as Kuma names users: the admin ({@code mesh-system:admin}) for loopback
 * callers and verified client certificates, the user of a valid token, or {@code
 * mesh-system:anonymous}.
 *
 * @param name the user name
 * @param groups its groups (with {@code mesh-system:authenticated} or {@code
 *     mesh-system:unauthenticated})
 * @param how how it was identified: {@code localhost}, {@code client-certificate}, {@code token} or
 *     {@code anonymous}
 */
record Caller(String name, List<String> groups, String how) {
  static final String AUTHENTICATED = "mesh-system:authenticated";
  static final String UNAUTHENTICATED = "mesh-system:unauthenticated";
  static final String ANONYMOUS = "mesh-system:anonymous";

  Caller {
    groups = List.copyOf(groups);
  }

  static Caller admin(String how) {
    return new Caller(UserTokens.ADMIN, List.of(UserTokens.ADMIN, AUTHENTICATED), how);
  }

  static Caller anonymous() {
    return new Caller(ANONYMOUS, List.of(UNAUTHENTICATED), "anonymous");
  }

  static Caller user(UserTokens.User u) {
    List<String> g = new ArrayList<>(u.groups());
    g.add(AUTHENTICATED);
    return new Caller(u.name(), g, "token");
  }

  boolean admin() {
    return name.equals(UserTokens.ADMIN) || groups.contains(UserTokens.ADMIN);
  }

  boolean authenticated() {
    return !how.equals("anonymous");
  }
}
