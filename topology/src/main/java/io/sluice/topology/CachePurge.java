package io.sluice.topology;

import io.sluice.events.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Finds the response cache's expired entries, a bounded slice at a time, so that they can be
 * deleted (a tombstone on the compacted cache topic removes the entry from every instance's global
 * store, and compaction from the topic). Without it an entry past its TTL is never answered again
 * but stays on disk for good.
 *
 * <p>A pass walks the whole store in key order, at most {@link #SLICE} entries per call, resuming
 * after the last key it read; a new pass starts at most once per {@link #interval}. One task runs
 * it (the session processor of partition 0), so each expired entry gets one tombstone.
 */
final class CachePurge {
  /** Entries read per call: each is decoded, so this bounds the stream thread's time per call. */
  static final int SLICE = 1_000;

  private final long ttlMs;
  private final long intervalMs;
  private String resumeAt;
  private boolean passRunning;
  private long passStartedAt = Long.MIN_VALUE;

  CachePurge(Duration ttl) {
    this.ttlMs = ttl.toMillis();
    this.intervalMs = interval(ttl).toMillis();
  }

  /** How often a pass starts: a quarter of the TTL, between one minute and one hour. */
  static Duration interval(Duration ttl) {
    Duration quarter = ttl.dividedBy(4);
    Duration min = Duration.ofMinutes(1);
    Duration max = Duration.ofHours(1);
    return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
  }

  /** The keys of expired entries in the next slice (empty between passes). */
  List<String> nextExpired(ReadOnlyKeyValueStore<String, Response> store, long now) {
    if (!passRunning) {
      if (passStartedAt != Long.MIN_VALUE && now - passStartedAt < intervalMs) {
        return List.of();
      }
      passRunning = true;
      passStartedAt = now;
      resumeAt = null;
    }
    List<String> expired = new ArrayList<>();
    int read = 0;
    String last = null;
    try (KeyValueIterator<String, Response> it = store.range(resumeAt, null)) {
      while (read < SLICE && it.hasNext()) {
        KeyValue<String, Response> kv = it.next();
        read++;
        last = kv.key;
        if (kv.value != null && now - kv.value.getRespondedAt() > ttlMs) {
          expired.add(kv.key);
        }
      }
      if (read < SLICE || !it.hasNext()) {
        passRunning = false;
      } else {
        resumeAt = last + '\0'; // the smallest key after the last one read
      }
    }
    return expired;
  }
}
