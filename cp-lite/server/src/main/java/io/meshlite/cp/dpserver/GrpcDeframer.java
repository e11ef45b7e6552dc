package io.meshlite.cp.dpserver;

import com.linecorp.armeria.common.stream.HttpDecoder;
import com.linecorp.armeria.common.stream.StreamDecoderInput;
import com.linecorp.armeria.common.stream.StreamDecoderOutput;
import io.grpc.Status;

/**
 * Splits a gRPC request body into its messages: each is a 1-byte flag (bit 0: compressed), a 4-byte
 * big-endian length and that many bytes, and may span DATA frames or share one with others. A
 * message longer than {@code maxMessageBytes} fails the stream with {@code RESOURCE_EXHAUSTED}, a
 * compressed one with {@code INTERNAL} (we accept only the identity encoding), and a body ending
 * inside a message with {@code INTERNAL}; each as a {@link io.grpc.StatusRuntimeException}.
 */
final class GrpcDeframer implements HttpDecoder<byte[]> {
  private static final int HEADER_BYTES = 5;

  private final int maxMessageBytes;
  /** Length of the message whose header was read, or -1 while waiting for a header. */
  private int bodyLength = -1;

  GrpcDeframer(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void process(StreamDecoderInput in, StreamDecoderOutput<byte[]> out) {
    while (true) {
      if (bodyLength < 0) {
        if (in.readableBytes() < HEADER_BYTES) {
          return;
        }
        int flags = in.readUnsignedByte();
        int length = in.readInt();
        if ((flags & 1) != 0) {
          throw Status.INTERNAL
              .withDescription("compressed gRPC message received, but this server accepts grpc-encoding identity only")
              .asRuntimeException();
        }
        if ((flags & ~1) != 0) {
          throw Status.INTERNAL
              .withDescription("gRPC frame flags 0x" + Integer.toHexString(flags) + " (expected: 0x00)")
              .asRuntimeException();
        }
        if (length < 0 || length > maxMessageBytes) {
          throw Status.RESOURCE_EXHAUSTED
              .withDescription(
                  "gRPC message of " + Integer.toUnsignedString(length) + " bytes exceeds maximum: " + maxMessageBytes)
              .asRuntimeException();
        }
        bodyLength = length;
      }
      if (in.readableBytes() < bodyLength) {
        return;
      }
      byte[] body = new byte[bodyLength];
      if (bodyLength > 0) {
        in.readBytes(body);
      }
      bodyLength = -1;
      out.add(body);
    }
  }

  @Override
  public void processOnComplete(StreamDecoderInput in, StreamDecoderOutput<byte[]> out) {
    if (bodyLength >= 0 || in.readableBytes() > 0) {
      throw Status.INTERNAL
          .withDescription("the request ended inside a gRPC message (" + in.readableBytes() + " bytes left over)")
          .asRuntimeException();
    }
  }
}
