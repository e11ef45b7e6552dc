package io.meshlite.kumactl.output;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as Kuma's kumactl prints it: every column but the last is padded to its widest cell plus
 * three spaces; the last cell is printed as is. A footer, when present, follows after a blank line.
 */
public final class Table {
  private static final int PADDING = 3;

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();
  private String footer = "";

  /** A table with these column headers. */
  public Table(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  /** Adds one row; it must have one cell per header. */
  public Table row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.size() + " cells, table has " + headers.size() + " columns");
    }
    rows.add(cells.stream().map(c -> c == null ? "" : c).toList());
    return this;
  }

  /** Sets the line printed after the rows (and a blank line); empty for none. */
  public Table footer(String text) {
    this.footer = text == null ? "" : text;
    return this;
  }

  /** The rendered table, each line ending with a newline. */
  public String render() {
    int[] widths = new int[headers.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], width(r.get(i)));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        String cell = r.get(i);
        sb.append(cell);
        if (i < r.size() - 1) {
          sb.append(" ".repeat(widths[i] - width(cell) + PADDING));
        }
      }
      sb.append('\n');
    }
    if (!footer.isEmpty()) {
      sb.append('\n').append(footer).append('\n');
    }
    return sb.toString();
  }

  /** Prints the rendered table. */
  public void print(PrintStream out) {
    out.print(render());
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }
}
