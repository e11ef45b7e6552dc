package io.meshlite.cp.xds.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import java.util.Map;

/** Well-known proto values: durations, structs, metadata, {@code Any}. */
public final class Protos {
  private Protos() {}

  /** A proto duration of whole seconds. */
  public static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  /** A proto duration from a Java one. */
  public static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  /** Packs a message into an {@code Any}. */
  public static Any any(Message m) {
    return Any.pack(m);
  }

  /** A struct of string values, in the map's iteration order. */
  public static Struct struct(Map<String, String> values) {
    Struct.Builder b = Struct.newBuilder();
    values.forEach((k, v) -> b.putFields(k, string(v)));
    return b.build();
  }

  /** Metadata with one filter entry holding string values. */
  public static Metadata metadata(String filter, Map<String, String> values) {
    return Metadata.newBuilder().putFilterMetadata(filter, struct(values)).build();
  }

  /** A string value. */
  public static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** Converts a JSON tree into a proto {@code Value} (numbers become doubles, as in JSON). */
  public static Value value(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (n.isObject()) {
      Struct.Builder s = Struct.newBuilder();
      n.properties().forEach(e -> s.putFields(e.getKey(), value(e.getValue())));
      return Value.newBuilder().setStructValue(s).build();
    }
    if (n.isArray()) {
      ListValue.Builder l = ListValue.newBuilder();
      n.forEach(x -> l.addValues(value(x)));
      return Value.newBuilder().setListValue(l).build();
    }
    if (n.isBoolean()) {
      return Value.newBuilder().setBoolValue(n.booleanValue()).build();
    }
    if (n.isNumber()) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    return string(n.asText());
  }
}
