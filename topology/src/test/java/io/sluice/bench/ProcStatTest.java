package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {
  @Test
  void shouldAddUserAndSystemTicksEvenWhenTheCommandNameHoldsSpacesAndParentheses() {
    // Given a stat line whose command is "(java) x" with utime 250 and stime 50 ticks
    String stat = "4242 ((java) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 250 50 0 0 20 0 40 0";

    // When parsed, then it is 300 ticks of 10 ms
    assertThat(ProcStat.parse(stat)).isEqualTo(3_000_000_000L);
  }

  @Test
  void shouldReadThisProcessesCpuTime() {
    long pid = ProcessHandle.current().pid();

    assertThat(ProcStat.cpuNanos(pid)).isPositive();
  }
}
