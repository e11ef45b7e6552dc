package io.meshlite.api.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON (RFC 8259) to and from plain Java values, without Jackson. kuma-dp reads and writes a handful
 * of small documents (the bootstrap request and answer, the DNS table, Envoy's listener list); Jackson
 * costs it ≈ 670 classes and most of its start-up CPU, so the agent uses this instead.
 *
 * <p>Values: objects are {@code Map<String, Object>} (insertion order kept, duplicate keys refused as
 * the Jackson mappers refuse them), arrays are {@code List<Object>}, strings {@code String}, numbers
 * {@code Long} when integral and within range, else {@code BigDecimal}, {@code Boolean}, and {@code
 * null}. {@link #write} also takes any {@code Number} and {@code byte[]} (as base64, as Jackson does).
 */
public final class JsonText {
  /** Deeper documents are refused, so hostile input cannot exhaust the stack. */
  static final int MAX_DEPTH = 256;

  private final String s;
  private int pos;
  private int depth;

  private JsonText(String s) {
    this.s = s;
  }

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException naming the line and column of the first problem
   */
  public static Object parse(String text) {
    JsonText p = new JsonText(text);
    p.skipSpace();
    Object v = p.value();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "' after the document");
    }
    return v;
  }

  /** Parses one JSON object. @throws IllegalArgumentException when it is not one */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object, found " + kind(v));
    }
    return (Map<String, Object>) v;
  }

  /** Renders a value compactly. @throws IllegalArgumentException for a value JSON cannot hold */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString();
  }

  /**
   * The value under a path of object fields, or null when any step is missing or not an object
   * ({@code get(doc, "admin", "address")}).
   */
  public static Object get(Object node, String... path) {
    Object n = node;
    for (String field : path) {
      if (!(n instanceof Map<?, ?> m)) {
        return null;
      }
      n = m.get(field);
    }
    return n;
  }

  /** A word for a value's JSON kind, for error messages: object, array, string, number, boolean, null. */
  public static String kind(Object v) {
    return switch (v) {
      case null -> "null";
      case Map<?, ?> m -> "object";
      case List<?> l -> "array";
      case String str -> "string";
      case Number n -> "number";
      case Boolean b -> "boolean";
      default -> v.getClass().getSimpleName();
    };
  }

  private static void write(StringBuilder out, Object v) {
    switch (v) {
      case null -> out.append("null");
      case String str -> quote(out, str);
      case Boolean b -> out.append(b);
      case Double d when d.isNaN() || d.isInfinite() -> throw new IllegalArgumentException("not a JSON number: " + d);
      case Float f when f.isNaN() || f.isInfinite() -> throw new IllegalArgumentException("not a JSON number: " + f);
      case BigDecimal d -> out.append(d.toString());
      case Number n -> out.append(n);
      case byte[] b -> quote(out, Base64.getEncoder().encodeToString(b));
      case Map<?, ?> m -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String key)) {
            throw new IllegalArgumentException("object keys must be strings, found " + kind(e.getKey()));
          }
          if (!first) {
            out.append(',');
          }
          first = false;
          quote(out, key);
          out.append(':');
          write(out, e.getValue());
        }
        out.append('}');
      }
      case List<?> l -> {
        out.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(out, l.get(i));
        }
        out.append(']');
      }
      default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  private static void quote(StringBuilder out, String str) {
    out.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private Object value() {
    if (pos >= s.length()) {
      throw error("unexpected end of the document");
    }
    char c = s.charAt(pos);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected '" + c + "'");
      }
    };
  }

  private Map<String, Object> object() {
    enter();
    pos++; // {
    Map<String, Object> m = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      depth--;
      return m;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a quoted field name");
      }
      int at = pos;
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object v = value();
      if (m.containsKey(key)) {
        pos = at;
        throw error("duplicate field \"" + key + "\"");
      }
      m.put(key, v);
      skipSpace();
      char c = peek();
      pos++;
      if (c == '}') {
        depth--;
        return m;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    enter();
    pos++; // [
    List<Object> l = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      depth--;
      return l;
    }
    while (true) {
      skipSpace();
      l.add(value());
      skipSpace();
      char c = peek();
      pos++;
      if (c == ']') {
        depth--;
        return l;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder b = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String out = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
        pos++;
        return out;
      }
      if (c < 0x20) {
        throw error("control character in a string (escape it)");
      }
      if (c != '\\') {
        pos++;
        continue;
      }
      if (b == null) {
        b = new StringBuilder();
      }
      b.append(s, start, pos);
      pos++;
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("short \\u escape");
          }
          int cp = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
              throw error("bad \\u escape");
            }
            cp = cp * 16 + d;
          }
          pos += 4;
          b.append((char) cp);
        }
        default -> {
          pos--;
          throw error("bad escape '\\" + e + "'");
        }
      }
      start = pos;
    }
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (digit(peek())) {
      digits();
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!digit(peek())) {
        throw error("bad number: digits must follow '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!digit(peek())) {
        throw error("bad number: digits must follow the exponent");
      }
      digits();
    }
    String text = s.substring(start, pos);
    if (integral && text.length() <= 18) {
      return Long.parseLong(text);
    }
    BigDecimal d = new BigDecimal(text);
    if (integral) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return d;
      }
    }
    return d;
  }

  private void digits() {
    while (digit(peek())) {
      pos++;
    }
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected '" + s.charAt(pos) + "'");
    }
    pos += word.length();
    return v;
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < Math.min(pos, s.length()); i++) {
      if (s.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    if (pos >= s.length() && !what.startsWith("unexpected end") && !what.startsWith("unterminated")) {
      what = "unexpected end of the document (" + what + ")";
    }
    return new IllegalArgumentException("line " + line + ", column " + col + ": " + what);
  }
}
