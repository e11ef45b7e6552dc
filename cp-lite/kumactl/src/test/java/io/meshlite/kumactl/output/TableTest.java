package io.meshlite.kumactl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void padsEveryColumnButTheLastByThreeSpacesPastItsWidestCell() {
    String s =
        new Table(List.of("NAME", "AGE"))
            .row(List.of("mesh1", "292y"))
            .row(List.of("m", "1s"))
            .render();

    assertThat(s).isEqualTo("NAME    AGE\nmesh1   292y\nm       1s\n");
  }

  @Test
  void footerFollowsABlankLine() {
    String s =
        new Table(List.of("NAME", "mTLS"))
            .row(List.of("mesh1", "builtin/ca-1"))
            .footer("Rerun command with --offset=1 argument to retrieve more resources")
            .render();

    assertThat(s)
        .isEqualTo(
            "NAME    mTLS\nmesh1   builtin/ca-1\n\nRerun command with --offset=1 argument to retrieve more resources\n");
  }

  @Test
  void emptyTableIsJustTheHeader() {
    assertThat(new Table(List.of("MESH", "NAME", "AGE")).render()).isEqualTo("MESH   NAME   AGE\n");
  }

  @Test
  void emptyLastCellStillPadsThePreviousColumn() {
    String s = new Table(List.of("A", "NOTES")).row(List.of("x", "")).render();

    assertThat(s).isEqualTo("A   NOTES\nx   \n");
  }

  @Test
  void rowMustMatchTheHeaders() {
    assertThatThrownBy(() -> new Table(List.of("A", "B")).row(List.of("x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
