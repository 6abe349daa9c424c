package io.sluice.topology;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Code that must turn any bytes into one of its expected outcomes. {@link #run} returns a label of
 * the outcome (for the fuzzer's statistics and corpus); an exception escaping it is a finding: a
 * record that would reach code that does not handle it. A new parser (the HTTP front door's, say)
 * becomes fuzzed by implementing this and adding it to {@link #all()}.
 */
interface FuzzTarget {
  /** A short name, used in reports and in the Jazzer test's method name. */
  String name();

  /** Valid inputs to start from: mutations of valid inputs reach deeper than random bytes. */
  List<byte[]> seeds();

  /** Byte strings worth splicing in (ids, lengths, tokens of the format). */
  List<byte[]> tokens();

  /** Handles one input as production does; returns a label of the outcome. */
  String run(byte[] input);

  /**
   * Most bytes one input may make the target allocate: a few times its size plus a fixed allowance.
   * More means a length or count in the input was believed before the bytes behind it were seen,
   * which a heap smaller than the test JVM's would answer with an OutOfMemoryError.
   */
  static long allocationBound(byte[] input) {
    return 64L * input.length + 16L * 1024 * 1024;
  }

  /**
   * Runs {@code input} through {@code target} and fails when it allocated more than {@link
   * #allocationBound} (where the JVM can measure it).
   */
  static String runBounded(FuzzTarget target, byte[] input) {
    long before = allocated();
    String outcome = target.run(input);
    long used = allocated() - before;
    if (before >= 0 && used > allocationBound(input)) {
      // the first run of a path loads (and under Jazzer instruments) classes: measure once more
      before = allocated();
      target.run(input);
      used = allocated() - before;
    }
    if (before >= 0 && used > allocationBound(input)) {
      throw new AssertionError(
          target.name()
              + " allocated "
              + used
              + " bytes for an input of "
              + input.length
              + " ("
              + outcome
              + ")");
    }
    return outcome;
  }

  private static long allocated() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemoryEnabled()) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return -1;
  }

  /** Every target the fuzzers run. */
  static List<FuzzTarget> all() {
    return List.of(new IngestFuzzTarget());
  }
}
