package io.meshlite.cp.tokens.dp;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies the {@code authorization} metadata of a gRPC call (where Envoy puts the dataplane token)
 * into the call's {@link Context}, where the ADS service reads it when the stream opens.
 */
final class TokenMetadata implements ServerInterceptor {
  static final Context.Key<List<String>> TOKENS = Context.key("dataplane-tokens");
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    List<String> tokens = new ArrayList<>();
    Iterable<String> values = headers.getAll(AUTHORIZATION);
    if (values != null) {
      values.forEach(tokens::add);
    }
    return Contexts.interceptCall(Context.current().withValue(TOKENS, List.copyOf(tokens)), call, headers, next);
  }

  /** The token values of the current call (empty outside a call). */
  static List<String> current() {
    List<String> t = TOKENS.get();
    return t == null ? List.of() : t;
  }
}
