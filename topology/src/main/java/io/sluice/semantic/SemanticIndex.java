package io.sluice.semantic;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * <p>Memory per entry: the vector (384 floats, 1,536 bytes, in one contiguous array per scope) plus
 * the keys and features, about 2 KB.
 *
 * <p>Threading: searches (worker threads) share a read lock; the feed thread adds under the write
 * lock.
 */
public final class SemanticIndex {
  /**
   * One cached entry: where its answer is ({@code cacheKey}) and what its last user turn means.
   * {@code vector} is null in the entries the index hands out (it keeps vectors in its blocks).
   */
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
  private final Map<String, Block> byScope = new HashMap<>();
  private final Map<String, Entry> byKey = new HashMap<>();
  private final ArrayDeque<Entry> order = new ArrayDeque<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  public SemanticIndex(int maxEntries, long ttlMs) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  public void add(Entry full) {
    // the vector lives only in its scope's block: the entry kept is the rest
    Entry e =
        new Entry(
            full.cacheKey(), full.scope(), full.requestId(), null, full.features(), full.atMs());
    lock.writeLock().lock();
    try {
      Entry old = byKey.put(e.cacheKey(), e);
      if (old != null) {
        removeFromScope(old);
        order.remove(old);
      }
      byScope
          .computeIfAbsent(e.scope(), s -> new Block(full.vector().length))
          .add(e, full.vector());
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
      Block block = byScope.get(scope);
      if (block == null) {
        return found;
      }
      block.search(query, threshold, limit, found);
    } finally {
      lock.readLock().unlock();
    }
    return found; // most similar first, at most limit
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
    Block block = byScope.get(e.scope());
    if (block != null) {
      block.remove(e.cacheKey());
      if (block.size == 0) {
        byScope.remove(e.scope());
      }
    }
  }

  /**
   * The vectors of one scope in one contiguous array (a scan reads memory in order), with their
   * entries; a removal moves the last vector into the hole.
   */
  private static final class Block {
    private final int dims;
    private float[] data;
    private Entry[] entries;
    private final Map<String, Integer> slots = new HashMap<>();
    private int size;

    Block(int dims) {
      this.dims = dims;
      this.data = new float[dims * 4];
      this.entries = new Entry[4];
    }

    void add(Entry e, float[] vector) {
      if (size == entries.length) {
        entries = java.util.Arrays.copyOf(entries, size * 2);
        data = java.util.Arrays.copyOf(data, size * 2 * dims);
      }
      System.arraycopy(vector, 0, data, size * dims, Math.min(dims, vector.length));
      entries[size] = e;
      slots.put(e.cacheKey(), size);
      size++;
    }

    void remove(String cacheKey) {
      Integer slot = slots.remove(cacheKey);
      if (slot == null) {
        return;
      }
      int last = size - 1;
      if (slot != last) {
        System.arraycopy(data, last * dims, data, slot * dims, dims);
        entries[slot] = entries[last];
        slots.put(entries[slot].cacheKey(), slot);
      }
      entries[last] = null;
      size--;
    }

    /** The best {@code limit} at or above {@code threshold}, kept sorted as they are found. */
    void search(float[] q, float threshold, int limit, List<Candidate> found) {
      int n = Math.min(dims, q.length);
      for (int i = 0; i < size; i++) {
        int base = i * dims;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
          s0 += q[j] * data[base + j];
          s1 += q[j + 1] * data[base + j + 1];
          s2 += q[j + 2] * data[base + j + 2];
          s3 += q[j + 3] * data[base + j + 3];
        }
        for (; j < n; j++) {
          s0 += q[j] * data[base + j];
        }
        float sim = s0 + s1 + s2 + s3;
        if (sim >= threshold
            && (found.size() < limit || sim > found.get(found.size() - 1).similarity())) {
          int at = found.size();
          while (at > 0 && found.get(at - 1).similarity() < sim) {
            at--;
          }
          found.add(at, new Candidate(entries[i], sim));
          if (found.size() > limit) {
            found.remove(found.size() - 1);
          }
        }
      }
    }
  }
}
