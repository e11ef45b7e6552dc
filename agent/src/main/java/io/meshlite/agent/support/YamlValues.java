package io.meshlite.agent.support;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML documents as plain values (the same kinds as {@link io.meshlite.api.json.JsonText}), read
 * with SnakeYAML's composer alone: kuma-dp reads a Dataplane template and, from a Kuma control plane,
 * a YAML Envoy bootstrap without loading Jackson.
 *
 * <p>Plain scalars resolve as kuma-cp's Jackson YAML mapper resolves them (SnakeYAML's YAML 1.1 rules):
 * {@code null}, {@code ~} and nothing are null; {@code true}/{@code yes}/{@code on} and their negations
 * are booleans; decimal, {@code 0x}, {@code 0b} and 0-prefixed octal integers and floats are numbers;
 * timestamps and everything else, and every quoted scalar, are strings. Duplicate keys are refused, as
 * the mapper refuses them.
 */
public final class YamlValues {
  private static final int MAX_DEPTH = 256;

  private YamlValues() {}

  /**
   * Reads every non-empty document of a YAML stream.
   *
   * @throws IllegalArgumentException "line L, column C: problem" for text that is not YAML
   */
  public static List<Object> readAll(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // refused below, with the key's position
    options.setMaxAliasesForCollections(50);
    Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
    List<Object> docs = new ArrayList<>();
    try {
      while (composer.checkNode()) {
        Object v = value(composer.getNode(), 0);
        if (v != null && !(v instanceof String s && s.isBlank())) {
          docs.add(v);
        }
      }
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new IllegalArgumentException(
          m == null ? problem : "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": " + problem);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    return docs;
  }

  /** Reads a YAML stream that must hold exactly one document. */
  public static Object readOne(String text) {
    List<Object> docs = readAll(text);
    if (docs.size() != 1) {
      throw new IllegalArgumentException("expected exactly one document, found " + docs.size());
    }
    return docs.get(0);
  }

  private static Object value(Node n, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(at(n) + "nested deeper than " + MAX_DEPTH + " levels");
    }
    return switch (n) {
      case ScalarNode s -> scalar(s);
      case SequenceNode seq -> {
        List<Object> l = new ArrayList<>(seq.getValue().size());
        for (Node item : seq.getValue()) {
          l.add(value(item, depth + 1));
        }
        yield l;
      }
      case MappingNode map -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
          Object k = value(t.getKeyNode(), depth + 1);
          if (k instanceof Map || k instanceof List) {
            throw new IllegalArgumentException(at(t.getKeyNode()) + "a key must be a scalar");
          }
          String key = k == null ? "null" : k.toString();
          if (m.containsKey(key)) {
            throw new IllegalArgumentException(at(t.getKeyNode()) + "duplicate field \"" + key + "\"");
          }
          m.put(key, value(t.getValueNode(), depth + 1));
        }
        yield m;
      }
      default -> throw new IllegalArgumentException(at(n) + "unsupported YAML node");
    };
  }

  private static Object scalar(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (tag.equals(Tag.BOOL)) {
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> Boolean.TRUE;
        case "false", "no", "off" -> Boolean.FALSE;
        default -> v;
      };
    }
    if (tag.equals(Tag.INT)) {
      return integer(v);
    }
    if (tag.equals(Tag.FLOAT)) {
      try {
        return new BigDecimal(v.replace("_", ""));
      } catch (NumberFormatException e) {
        return v; // .inf, .nan and 1:30.5 have no JSON number
      }
    }
    return v; // strings, quoted scalars, timestamps (as the mapper reads them) and other tags
  }

  /** YAML 1.1 integers: decimal, 0b binary, 0x hex, 0-prefixed octal, '_' separators. */
  private static Object integer(String v) {
    String t = v.replace("_", "");
    boolean negative = t.startsWith("-");
    if (t.startsWith("-") || t.startsWith("+")) {
      t = t.substring(1);
    }
    int radix = 10;
    if (t.startsWith("0b")) {
      radix = 2;
      t = t.substring(2);
    } else if (t.startsWith("0x")) {
      radix = 16;
      t = t.substring(2);
    } else if (t.length() > 1 && t.startsWith("0")) {
      radix = 8;
      t = t.substring(1);
    }
    try {
      BigInteger n = new BigInteger(t, radix);
      n = negative ? n.negate() : n;
      return n.bitLength() < 64 ? (Object) n.longValue() : new BigDecimal(n);
    } catch (NumberFormatException e) {
      return v; // sexagesimal (1:30) stays text
    }
  }

  private static String at(Node n) {
    Mark m = n.getStartMark();
    return m == null ? "" : "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": ";
  }
}
