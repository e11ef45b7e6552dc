package io.meshlite.iptables.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the YAML subset transparent-proxy config files use: block mappings and sequences,
 * flow collections ({@code [a, b]}, {@code {k: v}}, so JSON too), plain and quoted scalars and
 * comments. Scalars stay strings; the config layer converts them. Anchors, tags and multi-line
 * scalars are rejected with the line number.
 */
final class MiniYaml {
  private final List<Line> lines = new ArrayList<>();
  private int index;

  private record Line(int number, int indent, String text) {}

  private MiniYaml(String source) {
    String[] raw = source.replace("\r\n", "\n").split("\n", -1);
    for (int i = 0; i < raw.length; i++) {
      String text = stripComment(raw[i]);
      if (text.isBlank() || text.strip().equals("---") || text.strip().equals("...")) {
        continue;
      }
      for (int c = 0; c < text.length() && Character.isWhitespace(text.charAt(c)); c++) {
        if (text.charAt(c) == '\t') {
          throw new YamlException(i + 1, "tabs are not allowed for indentation");
        }
      }
      lines.add(new Line(i + 1, leading(text), text.strip()));
    }
  }

  /** Parses {@code source}; returns a Map, a List, a String or null for an empty document. */
  static Object parse(String source) {
    String trimmed = stripLeadingComments(source).strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      Flow flow = new Flow(trimmed);
      Object value = flow.value();
      flow.end();
      return value;
    }
    MiniYaml yaml = new MiniYaml(source);
    if (yaml.lines.isEmpty()) {
      return null;
    }
    Object value = yaml.block(yaml.lines.getFirst().indent());
    if (yaml.index < yaml.lines.size()) {
      Line line = yaml.lines.get(yaml.index);
      throw new YamlException(line.number(), "unexpected indentation");
    }
    return value;
  }

  private Object block(int indent) {
    Line first = lines.get(index);
    if (first.text().startsWith("- ") || first.text().equals("-")) {
      return sequence(indent);
    }
    return mapping(indent);
  }

  private List<Object> sequence(int indent) {
    List<Object> out = new ArrayList<>();
    while (index < lines.size()) {
      Line line = lines.get(index);
      if (line.indent() < indent) {
        break;
      }
      boolean item = line.text().startsWith("- ") || line.text().equals("-");
      if (line.indent() == indent && !item) {
        break; // a sibling key of the mapping that holds this sequence
      }
      if (line.indent() > indent) {
        throw new YamlException(line.number(), "expected a '- ' list item");
      }
      String rest = line.text().substring(1).strip();
      index++;
      if (rest.isEmpty()) {
        out.add(nested(indent, line));
      } else if (keyColon(rest) > 0) {
        // "- key: value" starts a mapping whose further keys are indented past the dash
        int itemIndent = line.indent() + (line.text().length() - rest.length());
        lines.set(index - 1, new Line(line.number(), itemIndent, rest));
        index--;
        out.add(mapping(itemIndent));
      } else {
        out.add(scalarOrFlow(rest, line.number()));
      }
    }
    return out;
  }

  private Map<String, Object> mapping(int indent) {
    Map<String, Object> out = new LinkedHashMap<>();
    while (index < lines.size()) {
      Line line = lines.get(index);
      if (line.indent() < indent) {
        break;
      }
      if (line.indent() > indent) {
        throw new YamlException(line.number(), "unexpected indentation");
      }
      int colon = keyColon(line.text());
      if (colon <= 0) {
        throw new YamlException(line.number(), "expected 'key: value'");
      }
      String key = unquote(line.text().substring(0, colon).strip(), line.number());
      String rest = line.text().substring(colon + 1).strip();
      index++;
      if (out.containsKey(key)) {
        throw new YamlException(line.number(), "duplicate key '" + key + "'");
      }
      out.put(key, rest.isEmpty() ? nested(indent, line) : scalarOrFlow(rest, line.number()));
    }
    return out;
  }

  private Object nested(int parentIndent, Line parent) {
    if (index >= lines.size()) {
      return null;
    }
    Line next = lines.get(index);
    boolean listAtSameIndent =
        next.indent() == parentIndent
            && (next.text().startsWith("- ") || next.text().equals("-"))
            && !parent.text().startsWith("-");
    if (next.indent() > parentIndent || listAtSameIndent) {
      return block(next.indent());
    }
    return null;
  }

  private static Object scalarOrFlow(String text, int lineNumber) {
    if (text.startsWith("[") || text.startsWith("{")) {
      try {
        Flow flow = new Flow(text);
        Object value = flow.value();
        flow.end();
        return value;
      } catch (YamlException e) {
        throw new YamlException(lineNumber, e.reason());
      }
    }
    if (text.startsWith("&") || text.startsWith("*") || text.startsWith("!")) {
      throw new YamlException(lineNumber, "anchors, aliases and tags are not supported");
    }
    if (text.startsWith("|") || text.startsWith(">")) {
      throw new YamlException(lineNumber, "block scalars are not supported");
    }
    return unquote(text, lineNumber);
  }

  private static String unquote(String text, int lineNumber) {
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      return unescape(text.substring(1, text.length() - 1), lineNumber);
    }
    if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
      return text.substring(1, text.length() - 1).replace("''", "'");
    }
    if (text.startsWith("\"") || text.startsWith("'")) {
      throw new YamlException(lineNumber, "unterminated quoted string");
    }
    return text.equals("~") || text.equals("null") ? null : text;
  }

  private static String unescape(String text, int lineNumber) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= text.length()) {
        throw new YamlException(lineNumber, "dangling backslash");
      }
      char e = text.charAt(i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case '"', '\\', '/' -> out.append(e);
        default -> throw new YamlException(lineNumber, "unsupported escape \\" + e);
      }
    }
    return out.toString();
  }

  /** Index of the colon ending a mapping key ({@code key: v} or {@code key:}), or -1. */
  private static int keyColon(String text) {
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if ((c == '"' || c == '\'') && i == 0) {
        quote = c;
      } else if (c == '[' || c == '{') {
        return -1;
      } else if (c == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String stripLeadingComments(String source) {
    StringBuilder out = new StringBuilder();
    boolean content = false;
    for (String line : source.split("\n", -1)) {
      if (!content && (line.isBlank() || line.strip().startsWith("#"))) {
        continue;
      }
      content = true;
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static int leading(String text) {
    int i = 0;
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** Flow collections: {@code [a, "b"]}, {@code {k: v}}, JSON. */
  private static final class Flow {
    private final String text;
    private int pos;

    Flow(String text) {
      this.text = text;
    }

    Object value() {
      skip();
      if (pos >= text.length()) {
        throw new YamlException(0, "unexpected end of flow collection");
      }
      char c = text.charAt(pos);
      if (c == '[') {
        pos++;
        List<Object> out = new ArrayList<>();
        skip();
        if (peek() == ']') {
          pos++;
          return out;
        }
        while (true) {
          out.add(value());
          skip();
          char d = next();
          if (d == ']') {
            return out;
          }
          if (d != ',') {
            throw new YamlException(0, "expected ',' or ']' in flow sequence");
          }
        }
      }
      if (c == '{') {
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        skip();
        if (peek() == '}') {
          pos++;
          return out;
        }
        while (true) {
          Object key = value();
          skip();
          if (next() != ':') {
            throw new YamlException(0, "expected ':' in flow mapping");
          }
          out.put(String.valueOf(key), value());
          skip();
          char d = next();
          if (d == '}') {
            return out;
          }
          if (d != ',') {
            throw new YamlException(0, "expected ',' or '}' in flow mapping");
          }
        }
      }
      if (c == '"' || c == '\'') {
        int end = pos + 1;
        while (end < text.length() && text.charAt(end) != c) {
          end += text.charAt(end) == '\\' && c == '"' ? 2 : 1;
        }
        if (end >= text.length()) {
          throw new YamlException(0, "unterminated quoted string");
        }
        String quoted = text.substring(pos, end + 1);
        pos = end + 1;
        return unquote(quoted, 0);
      }
      int start = pos;
      while (pos < text.length() && ",]}".indexOf(text.charAt(pos)) < 0) {
        if (text.charAt(pos) == ':'
            && (pos + 1 >= text.length() || " ,]}".indexOf(text.charAt(pos + 1)) >= 0)) {
          break;
        }
        pos++;
      }
      return unquote(text.substring(start, pos).strip(), 0);
    }

    void end() {
      skip();
      if (pos < text.length()) {
        throw new YamlException(0, "unexpected text after flow collection");
      }
    }

    private void skip() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    private char next() {
      if (pos >= text.length()) {
        throw new YamlException(0, "unexpected end of flow collection");
      }
      return text.charAt(pos++);
    }
  }

  /** A syntax error; {@code line} is 0 when unknown. */
  static final class YamlException extends RuntimeException {
    private final int line;
    private final String reason;

    YamlException(int line, String reason) {
      super(line > 0 ? "line " + line + ": " + reason : reason);
      this.line = line;
      this.reason = reason;
    }

    int line() {
      return line;
    }

    String reason() {
      return reason;
    }
  }
}
