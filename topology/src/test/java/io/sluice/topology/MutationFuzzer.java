package io.sluice.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded mutation fuzzer, no coverage feedback: starts from a target's valid inputs and applies
 * one to four mutations at a time (bit flips, interesting bytes, inserted, deleted, duplicated or
 * truncated ranges, runs of one byte, the target's tokens spliced in or written over, two inputs
 * crossed). An input whose outcome label was not seen before joins the pool, so that mutations
 * build on inputs that got further (a rejected request is mutated into other rejections). The same
 * seed gives the same run. Every escaping throwable is a finding; the run goes on and reports the
 * first few.
 */
final class MutationFuzzer {
  /** What a run did. */
  record Report(
      String target,
      long seed,
      int iterations,
      Map<String, Integer> outcomes,
      List<Finding> findings,
      long millis) {
    String summary() {
      return "fuzz "
          + target
          + ": "
          + iterations
          + " inputs, seed "
          + seed
          + ", "
          + millis
          + " ms, findings "
          + findings.size()
          + ", outcomes "
          + outcomes;
    }
  }

  /** An input that let a throwable escape. */
  record Finding(byte[] input, Throwable thrown) {
    @Override
    public String toString() {
      String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 256));
      return thrown + " on " + input.length + " bytes: " + hex + (input.length > 256 ? "..." : "");
    }
  }

  private static final int MAX_POOL = 512;
  private static final int MAX_FINDINGS = 10;
  private static final int MAX_LENGTH = 256 * 1024;

  /** Longest run of one byte inserted: deep enough to overflow a stack through nesting. */
  private static final int MAX_RUN = 60_000;

  private static final byte[] INTERESTING = {0, 1, 2, 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe};

  private final FuzzTarget target;
  private final SplittableRandom random;
  private final long seed;
  private final List<byte[]> pool = new ArrayList<>();
  private final List<byte[]> tokens;

  MutationFuzzer(FuzzTarget target, long seed) {
    this.target = target;
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.pool.addAll(target.seeds());
    this.tokens = target.tokens();
  }

  /** Runs {@code iterations} inputs (every seed first, unchanged). */
  Report run(int iterations) {
    long start = System.nanoTime();
    Map<String, Integer> outcomes = new TreeMap<>();
    List<Finding> findings = new ArrayList<>();
    int seeds = pool.size();
    for (int i = 0; i < iterations; i++) {
      byte[] input = i < seeds ? pool.get(i) : mutate(pool.get(random.nextInt(pool.size())));
      String outcome;
      try {
        outcome = FuzzTarget.runBounded(target, input);
      } catch (Throwable t) { // the point of the exercise: nothing may escape
        outcome = "FINDING " + t.getClass().getSimpleName();
        if (findings.size() < MAX_FINDINGS) {
          findings.add(new Finding(input, t));
        }
      }
      Integer seen = outcomes.merge(outcome, 1, Integer::sum);
      if (seen == 1 && i >= seeds && pool.size() < MAX_POOL) {
        pool.add(input);
      }
    }
    return new Report(
        target.name(),
        seed,
        iterations,
        outcomes,
        findings,
        (System.nanoTime() - start) / 1_000_000);
  }

  byte[] mutate(byte[] from) {
    byte[] b = from;
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      b = mutateOnce(b);
    }
    return b.length > MAX_LENGTH ? Arrays.copyOf(b, MAX_LENGTH) : b;
  }

  private byte[] mutateOnce(byte[] b) {
    if (b.length == 0) {
      return token();
    }
    int at = random.nextInt(b.length);
    switch (random.nextInt(11)) {
      case 0 -> {
        byte[] c = b.clone();
        c[at] ^= (byte) (1 << random.nextInt(8));
        return c;
      }
      case 1 -> {
        byte[] c = b.clone();
        c[at] = INTERESTING[random.nextInt(INTERESTING.length)];
        return c;
      }
      case 2 -> {
        byte[] c = b.clone();
        c[at] = (byte) random.nextInt(256);
        return c;
      }
      case 3 -> { // truncate
        return Arrays.copyOf(b, at);
      }
      case 4 -> { // delete a range
        int len = 1 + random.nextInt(Math.min(16, b.length - at));
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
      }
      case 5 -> { // insert random bytes
        byte[] ins = new byte[1 + random.nextInt(8)];
        for (int i = 0; i < ins.length; i++) {
          ins[i] = (byte) random.nextInt(256);
        }
        return insert(b, at, ins);
      }
      case 6 -> { // duplicate a range
        int len = 1 + random.nextInt(Math.min(64, b.length - at));
        return insert(b, at, Arrays.copyOfRange(b, at, at + len));
      }
      case 10 -> { // insert a run of one byte (repeated tags or branches: deep nesting)
        byte[] run = new byte[1 + random.nextInt(random.nextInt(4) > 0 ? 16 : MAX_RUN)];
        Arrays.fill(
            run, random.nextBoolean() ? b[at] : INTERESTING[random.nextInt(INTERESTING.length)]);
        return insert(b, at, run);
      }
      case 7 -> { // insert a token
        return insert(b, at, token());
      }
      case 8 -> { // write a token over the bytes there (the schema id when at 0)
        byte[] t = token();
        int pos = t.length == 5 && t[0] == 0 ? 0 : at;
        byte[] c = Arrays.copyOf(b, Math.max(b.length, pos + t.length));
        System.arraycopy(t, 0, c, pos, t.length);
        return c;
      }
      default -> { // cross with another input
        byte[] other = pool.get(random.nextInt(pool.size()));
        int cut = random.nextInt(other.length + 1);
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, cut, other.length));
      }
    }
  }

  private byte[] token() {
    return tokens.isEmpty() ? new byte[] {0} : tokens.get(random.nextInt(tokens.size()));
  }

  private static byte[] insert(byte[] b, int at, byte[] ins) {
    byte[] c = new byte[b.length + ins.length];
    System.arraycopy(b, 0, c, 0, at);
    System.arraycopy(ins, 0, c, at, ins.length);
    System.arraycopy(b, at, c, at + ins.length, b.length - at);
    return c;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
