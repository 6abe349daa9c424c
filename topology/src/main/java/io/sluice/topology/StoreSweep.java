package io.sluice.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Walks a store for entries to delete, a bounded slice per call, so that a large store never holds
 * the stream thread for long: a pass reads the whole store in key order, at most {@link #SLICE}
 * entries per call, resuming after the last key it read; a new pass starts at most once per
 * interval. Used for the response cache's expired entries and for idle sessions.
 */
final class StoreSweep<V> {
  /** Entries read per call: each is decoded, so this bounds the stream thread's time per call. */
  static final int SLICE = 1_000;

  /** Whether an entry is to be deleted. */
  interface Test<V> {
    boolean matches(String key, V value, long now);
  }

  private final long intervalMs;
  private final Test<V> test;
  private String resumeAt;
  private boolean passRunning;
  private long passStartedAt = Long.MIN_VALUE;

  StoreSweep(Duration interval, Test<V> test) {
    this.intervalMs = interval.toMillis();
    this.test = test;
  }

  /** How often a pass starts for entries that live {@code ttl}: a quarter of it, 1 min to 1 h. */
  static Duration interval(Duration ttl) {
    Duration quarter = ttl.dividedBy(4);
    Duration min = Duration.ofMinutes(1);
    Duration max = Duration.ofHours(1);
    return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
  }

  /** The keys that match in the next slice (empty between passes). */
  List<String> next(ReadOnlyKeyValueStore<String, V> store, long now) {
    if (!passRunning) {
      if (passStartedAt != Long.MIN_VALUE && now - passStartedAt < intervalMs) {
        return List.of();
      }
      passRunning = true;
      passStartedAt = now;
      resumeAt = null;
    }
    List<String> matched = new ArrayList<>();
    int read = 0;
    String last = null;
    try (KeyValueIterator<String, V> it = store.range(resumeAt, null)) {
      while (read < SLICE && it.hasNext()) {
        KeyValue<String, V> kv = it.next();
        read++;
        last = kv.key;
        if (kv.value != null && test.matches(kv.key, kv.value, now)) {
          matched.add(kv.key);
        }
      }
      if (!it.hasNext()) {
        passRunning = false;
      } else {
        resumeAt = last + '\0'; // the smallest key after the last one read
      }
    }
    return matched;
  }
}
