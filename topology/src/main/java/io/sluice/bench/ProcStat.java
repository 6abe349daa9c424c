package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process on Linux, from {@code /proc/<pid>/stat}: user plus system time of all
 * its threads, in clock ticks of 10 ms ({@code USER_HZ} is 100 on every Linux this runs on).
 */
final class ProcStat {
  static final long NANOS_PER_TICK = 10_000_000L;

  private ProcStat() {}

  /** The process's CPU time so far in nanoseconds (10 ms resolution). */
  static long cpuNanos(long pid) {
    try {
      return parse(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
    } catch (IOException e) {
      throw new IllegalArgumentException("--gateway-pid " + pid + ": cannot read its CPU time", e);
    }
  }

  /** utime + stime (fields 14 and 15) of a {@code stat} line, in nanoseconds. */
  static long parse(String stat) {
    // the command name (field 2) is in parentheses and may hold spaces and parentheses itself
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
  }
}
