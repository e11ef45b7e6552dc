package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.grpc.protocol.StatusMessageEscaper;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The bridge's pure parts: status message encoding, metadata, content types and deframing. */
class GrpcBridgeServiceTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> TRACE_BIN = Metadata.Key.of("x-trace-bin", Metadata.BINARY_BYTE_MARSHALLER);

  @Test
  void statusMessagesArePercentEncodedAsGrpcSpecifies() {
    assertThat(GrpcBridgeService.percentEncode("plain ASCII: ok")).isEqualTo("plain ASCII: ok");
    assertThat(GrpcBridgeService.percentEncode("100%")).isEqualTo("100%25");
    assertThat(GrpcBridgeService.percentEncode("a\nb")).isEqualTo("a%0Ab");
    assertThat(GrpcBridgeService.percentEncode("ü")).isEqualTo("%C3%BC");
    for (String s : List.of("token rejected: \"ünïcödé\" 100% \u2713", "tab\there", "\u0000", "", "%%41")) {
      String encoded = GrpcBridgeService.percentEncode(s);
      assertThat(encoded.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e);
      // Armeria's gRPC client decodes it back (as grpc-java's does).
      assertThat(StatusMessageEscaper.unescape(encoded)).isEqualTo(s);
    }
  }

  @Test
  void metadataComesFromHeadersWithoutPseudoOrConnectionHeaders() {
    RequestHeaders headers =
        RequestHeaders.builder(HttpMethod.POST, "/svc/Method")
            .authority("cp:5678")
            .contentType(com.linecorp.armeria.common.MediaType.parse("application/grpc"))
            .add("te", "trailers")
            .add("authorization", "Bearer t")
            .add("x-trace-bin", "AAEC") // padded-free base64 of 00 01 02
            .add("x-trace-bin", "AwQ=,BQ") // two values in one header, padded and not
            .build();
    Metadata md = GrpcBridgeService.metadata(headers);
    assertThat(md.getAll(AUTHORIZATION)).containsExactly("Bearer t");
    assertThat(md.getAll(TRACE_BIN)).containsExactly(new byte[] {0, 1, 2}, new byte[] {3, 4}, new byte[] {5});
    assertThat(md.keys()).doesNotContain(":path", ":method", ":authority", ":scheme", "te");
    assertThat(md.keys()).contains("content-type");
  }

  @Test
  void applicationMetadataBecomesHeadersButNotReservedOnes() {
    Metadata md = new Metadata();
    md.put(AUTHORIZATION, "x");
    md.put(TRACE_BIN, "hi".getBytes(StandardCharsets.UTF_8));
    md.put(Metadata.Key.of("grpc-status", Metadata.ASCII_STRING_MARSHALLER), "0");
    var b = com.linecorp.armeria.common.HttpHeaders.builder();
    GrpcBridgeService.addMetadata(b, md);
    var h = b.build();
    assertThat(h.get("authorization")).isEqualTo("x");
    assertThat(h.get("x-trace-bin")).isEqualTo("aGk");
    assertThat(h.contains("grpc-status")).isFalse();
  }

  @Test
  void onlyBinaryGrpcContentTypesAreAccepted() {
    assertThat(GrpcBridgeService.isGrpc("application/grpc")).isTrue();
    assertThat(GrpcBridgeService.isGrpc("application/grpc+proto")).isTrue();
    assertThat(GrpcBridgeService.isGrpc("Application/GRPC; charset=utf-8")).isTrue();
    assertThat(GrpcBridgeService.isGrpc("application/grpc+json")).isFalse();
    assertThat(GrpcBridgeService.isGrpc("application/grpc-web")).isFalse();
    assertThat(GrpcBridgeService.isGrpc(null)).isFalse();
  }

  @Test
  void deframerSplitsJoinsAndChecksMessages() {
    byte[] a = frame(new byte[] {1, 2, 3});
    byte[] empty = frame(new byte[0]);
    byte[] big = frame(new byte[100]);
    byte[] all = ByteBuffer.allocate(a.length + empty.length + big.length).put(a).put(empty).put(big).array();
    // One byte per chunk, then everything in one chunk: the same messages.
    HttpData[] bytes = new HttpData[all.length];
    for (int i = 0; i < all.length; i++) {
      bytes[i] = HttpData.wrap(all, i, 1);
    }
    assertThat(deframe(100, bytes)).hasSize(3).satisfies(l -> assertThat(l.get(2)).hasSize(100));
    assertThat(deframe(100, HttpData.wrap(all))).extracting(m -> m.length).containsExactly(3, 0, 100);

    assertThat(statusOf(() -> deframe(99, HttpData.wrap(big)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    byte[] compressed = a.clone();
    compressed[0] = 1;
    assertThat(statusOf(() -> deframe(100, HttpData.wrap(compressed)))).isEqualTo(Status.Code.INTERNAL);
    assertThat(statusOf(() -> deframe(100, HttpData.wrap(a, 0, a.length - 1)))).isEqualTo(Status.Code.INTERNAL);
  }

  private static List<byte[]> deframe(int max, HttpData... chunks) {
    HttpRequest req = HttpRequest.of(RequestHeaders.of(HttpMethod.POST, "/svc/Method"), chunks);
    return req.decode(new GrpcDeframer(max)).collect().join();
  }

  private static Status.Code statusOf(Runnable r) {
    Throwable[] caught = new Throwable[1];
    assertThatThrownBy(r::run).isInstanceOf(CompletionException.class).satisfies(e -> caught[0] = e.getCause());
    assertThat(caught[0]).isInstanceOf(StatusRuntimeException.class);
    return ((StatusRuntimeException) caught[0]).getStatus().getCode();
  }

  private static byte[] frame(byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body).array();
  }
}
