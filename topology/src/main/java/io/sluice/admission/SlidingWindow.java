package io.sluice.admission;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts over the last minute in one-second buckets: what was added in second {@code s} counts
 * until second {@code s + 60} begins. A limit checked against {@link #total} holds in every 60
 * consecutive seconds, with no doubling at a minute's boundary as fixed windows allow. At most 60
 * buckets are kept, so its record is bounded. Not thread-safe: only the stream thread of the task
 * that owns the tenant touches it.
 */
public final class SlidingWindow {
  /** The window's length in one-second buckets. */
  public static final int SECONDS = 60;

  /** Counts by epoch second; public for the JSON serde. */
  public TreeMap<Long, Long> buckets = new TreeMap<>();

  static long second(long ms) {
    return Math.floorDiv(ms, 1000);
  }

  /** True when second {@code s} is still inside the window at {@code nowMs}. */
  static boolean inWindow(long s, long nowMs) {
    return s > second(nowMs) - SECONDS;
  }

  /** Drops the buckets that have left the window at {@code nowMs}. */
  void prune(long nowMs) {
    buckets.headMap(second(nowMs) - SECONDS, true).clear();
  }

  /** The sum of the window at {@code nowMs}. */
  public long total(long nowMs) {
    prune(nowMs);
    long sum = 0;
    for (long v : buckets.values()) {
      sum += v;
    }
    return Math.max(0, sum);
  }

  /** Adds {@code n} (may be negative: a correction) to second {@code s}; a bucket stays >= 0. */
  public void add(long s, long n) {
    long v = Math.max(0, buckets.getOrDefault(s, 0L) + n);
    if (v == 0) {
      buckets.remove(s);
    } else {
      buckets.put(s, v);
    }
  }

  /** True when {@code need} more fits under {@code limit} at {@code nowMs}. */
  public boolean fits(long nowMs, long limit, long need) {
    return total(nowMs) + need <= limit;
  }

  /**
   * How long until {@code need} fits under {@code limit}, as the oldest buckets leave the window;
   * -1 when it never can ({@code need > limit}). At least 1 ms when it does not fit now.
   */
  public long retryAfterMs(long nowMs, long limit, long need) {
    if (need > limit) {
      return -1;
    }
    long remaining = total(nowMs);
    if (remaining + need <= limit) {
      return 0;
    }
    Iterator<Map.Entry<Long, Long>> it = buckets.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Long> b = it.next();
      remaining -= b.getValue();
      if (remaining + need <= limit) {
        return Math.max(1, (b.getKey() + SECONDS) * 1000 - nowMs);
      }
    }
    return Math.max(1, (second(nowMs) + SECONDS) * 1000 - nowMs); // not reached: all left
  }
}
