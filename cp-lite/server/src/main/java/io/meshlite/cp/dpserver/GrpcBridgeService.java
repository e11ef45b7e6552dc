package io.meshlite.cp.dpserver;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpHeadersBuilder;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Serves one grpc-java {@link ServerServiceDefinition} (its interceptors included) as an Armeria
 * {@link HttpService}, for binary gRPC over HTTP/2 only: {@code POST /<service>/<method>} with
 * {@code content-type: application/grpc[+proto]}, identity encoding, no deadlines ({@code
 * grpc-timeout} is ignored: ADS streams live as long as the proxy). Each call is a {@link
 * GrpcBridgeCall}.
 *
 * <p>Why not Armeria's {@code GrpcService}: its builder always creates a JSON error handler whose
 * marshallers ByteBuddy generates (≈ 1,230 classes and ≈ 12 MiB of RSS at idle, {@code
 * docs/bench/xds.md}), although Envoy speaks binary gRPC only.
 */
final class GrpcBridgeService implements HttpService {
  static final String CONTENT_TYPE = "application/grpc";
  static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  static final AsciiString GRPC_ENCODING = AsciiString.cached("grpc-encoding");
  static final AsciiString GRPC_ACCEPT_ENCODING = AsciiString.cached("grpc-accept-encoding");

  /** Connection-level HTTP headers that are not call metadata. */
  private static final Set<String> NOT_METADATA =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te");

  /** Headers the bridge writes itself, never copied from the application's metadata. */
  private static final Set<String> RESERVED =
      Set.of("content-type", "grpc-status", "grpc-message", "grpc-encoding", "grpc-accept-encoding");

  private final String serviceName;
  private final Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
  private final int maxMessageBytes;

  /**
   * @param maxMessageBytes longest request message accepted; a longer one ends the call with {@code
   *     RESOURCE_EXHAUSTED}
   */
  GrpcBridgeService(ServerServiceDefinition service, int maxMessageBytes) {
    this.serviceName = service.getServiceDescriptor().getName();
    this.maxMessageBytes = maxMessageBytes;
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      methods.put("/" + m.getMethodDescriptor().getFullMethodName(), m);
    }
  }

  /** The path prefix to bind: {@code /<service>/} (unknown methods under it get UNIMPLEMENTED). */
  String pathPrefix() {
    return "/" + serviceName + "/";
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8, "gRPC requires POST");
    }
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (!isGrpc(contentType)) {
      return HttpResponse.of(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          MediaType.PLAIN_TEXT_UTF_8,
          "content-type " + contentType + " is not supported (expected: application/grpc or application/grpc+proto)");
    }
    ServerMethodDefinition<?, ?> m = methods.get(ctx.path());
    if (m == null) {
      req.abort();
      return trailersOnly(Status.UNIMPLEMENTED.withDescription("Method not found: " + ctx.path().substring(1)));
    }
    return serve(ctx, req, m);
  }

  private <Q, R> HttpResponse serve(ServiceRequestContext ctx, HttpRequest req, ServerMethodDefinition<Q, R> m) {
    HttpResponseWriter res = HttpResponse.streaming();
    GrpcBridgeCall<Q, R> call = new GrpcBridgeCall<>(ctx, req, m.getMethodDescriptor(), res, maxMessageBytes);
    call.start(m.getServerCallHandler(), metadata(req.headers()));
    return res;
  }

  static boolean isGrpc(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    return type.equals("application/grpc") || type.equals("application/grpc+proto");
  }

  static HttpResponse trailersOnly(Status status) {
    ResponseHeadersBuilder b =
        ResponseHeaders.builder(HttpStatus.OK)
            .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
            .set(GRPC_STATUS, Integer.toString(status.getCode().value()));
    if (status.getDescription() != null) {
      b.set(GRPC_MESSAGE, percentEncode(status.getDescription()));
    }
    return HttpResponse.of(b.build());
  }

  /**
   * The call's metadata: every request header except pseudo-headers and connection headers; {@code
   * -bin} values are base64 (padded or not, several comma-separated). A header grpc-java cannot
   * represent is left out.
   */
  static Metadata metadata(HttpHeaders headers) {
    Metadata md = new Metadata();
    headers.forEach(
        (name, value) -> {
          String key = name.toString();
          if (key.startsWith(":") || NOT_METADATA.contains(key)) {
            return;
          }
          try {
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
              Metadata.Key<byte[]> k = Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER);
              for (String part : value.split(",", -1)) {
                md.put(k, Base64.getDecoder().decode(part.strip()));
              }
            } else {
              md.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
            }
          } catch (IllegalArgumentException e) {
            // not a valid metadata key or not base64: not something a gRPC client sends
          }
        });
    return md;
  }

  /** Adds the application's metadata as headers or trailers ({@code -bin} values in base64). */
  static void addMetadata(HttpHeadersBuilder b, Metadata md) {
    for (String key : md.keys()) {
      if (key.startsWith(":") || RESERVED.contains(key) || NOT_METADATA.contains(key)) {
        continue;
      }
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] v : md.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          b.add(key, Base64.getEncoder().withoutPadding().encodeToString(v));
        }
      } else {
        for (String v : md.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          b.add(key, v);
        }
      }
    }
  }

  /**
   * Percent-encodes a status message as gRPC specifies: UTF-8, with every byte outside {@code
   * 0x20..0x7e} and {@code %} itself as {@code %XX}.
   */
  static String percentEncode(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = null;
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      boolean plain = c >= 0x20 && c <= 0x7e && c != '%';
      if (plain && sb == null) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(bytes.length + 16);
        sb.append(message, 0, i); // bytes before i are ASCII, one char each
      }
      if (plain) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb == null ? message : sb.toString();
  }
}
