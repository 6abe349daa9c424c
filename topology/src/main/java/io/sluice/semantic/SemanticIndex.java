package io.sluice.semantic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An exact vector index: for each scope (the exact cache key without the last user turn, always per
 * tenant) the entries' unit vectors, searched by brute force (a float dot product per entry of the
 * scope). Bounded: past {@code maxEntries} the oldest entry goes; entries older than {@code ttlMs}
 * are skipped and dropped. Entries with the same cache key replace each other.
 *
 * <p>Memory per entry: the vector (384 floats, 1,536 bytes) plus the keys and features, about 2 KB.
 *
 * <p>Threading: searches (worker threads) share a read lock; the feed thread adds under the write
 * lock.
 */
public final class SemanticIndex {
  /** One cached entry: where its answer is ({@code cacheKey}) and what its last user turn means. */
  public record Entry(
      String cacheKey,
      String scope,
      String requestId,
      float[] vector,
      PromptFeatures features,
      long atMs) {}

  /** An entry and its similarity to the query. */
  public record Candidate(Entry entry, float similarity) {}

  private final int maxEntries;
  private final long ttlMs;
  private final Map<String, List<Entry>> byScope = new HashMap<>();
  private final Map<String, Entry> byKey = new HashMap<>();
  private final ArrayDeque<Entry> order = new ArrayDeque<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  public SemanticIndex(int maxEntries, long ttlMs) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  public void add(Entry e) {
    lock.writeLock().lock();
    try {
      Entry old = byKey.put(e.cacheKey(), e);
      if (old != null) {
        removeFromScope(old);
        order.remove(old);
      }
      byScope.computeIfAbsent(e.scope(), s -> new ArrayList<>()).add(e);
      order.addLast(e);
      while (order.size() > maxEntries) {
        Entry oldest = order.removeFirst();
        byKey.remove(oldest.cacheKey());
        removeFromScope(oldest);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops the entry of {@code cacheKey}, if any. */
  public void remove(String cacheKey) {
    lock.writeLock().lock();
    try {
      Entry old = byKey.remove(cacheKey);
      if (old != null) {
        removeFromScope(old);
        order.remove(old);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops entries older than the ttl, oldest first (they were added in time order, mostly). */
  public void expire(long now) {
    lock.writeLock().lock();
    try {
      while (!order.isEmpty() && now - order.peekFirst().atMs() > ttlMs) {
        Entry oldest = order.removeFirst();
        byKey.remove(oldest.cacheKey());
        removeFromScope(oldest);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The entries of {@code scope} at least {@code threshold} similar to {@code query}, most similar
   * first, at most {@code limit}.
   */
  public List<Candidate> candidates(String scope, float[] query, float threshold, int limit) {
    List<Candidate> found = new ArrayList<>();
    lock.readLock().lock();
    try {
      List<Entry> entries = byScope.get(scope);
      if (entries == null) {
        return found;
      }
      for (Entry e : entries) {
        float sim = Vectors.dot(query, e.vector());
        if (sim >= threshold) {
          found.add(new Candidate(e, sim));
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    found.sort(Comparator.comparingDouble((Candidate c) -> c.similarity()).reversed());
    return found.size() > limit ? new ArrayList<>(found.subList(0, limit)) : found;
  }

  public int size() {
    lock.readLock().lock();
    try {
      return byKey.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  private void removeFromScope(Entry e) {
    List<Entry> entries = byScope.get(e.scope());
    if (entries != null) {
      entries.remove(e);
      if (entries.isEmpty()) {
        byScope.remove(e.scope());
      }
    }
  }
}
