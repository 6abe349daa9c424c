package io.sluice.frontdoor.reply;

import io.sluice.events.Response;
import io.sluice.frontdoor.wire.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The asynchronous requests this instance accepted ({@code Prefer: respond-async}) and their
 * answers, for {@code GET /v1/requests/{id}}: bounded (the oldest entry goes first) and each kept
 * for a time to live. In memory only: after a restart an answer is no longer here, but it is in the
 * responses topic, and the same call with the same {@code Idempotency-Key} gets it again.
 * Thread-safe (one lock; each operation is a map access).
 */
public final class AsyncResults {
  /** One accepted request: who asked, in which format, its deadline, and its answer once known. */
  public record Entry(String tenant, WireFormat format, long deadlineMs, Response response) {}

  private final int capacity;
  private final long ttlMs;
  private final Clock clock;
  private final LinkedHashMap<String, Stamped> entries = new LinkedHashMap<>();

  private record Stamped(Entry entry, long expiresAtMs) {}

  public AsyncResults(int capacity, Duration ttl, Clock clock) {
    this.capacity = capacity;
    this.ttlMs = ttl.toMillis();
    this.clock = clock;
  }

  /** Records an accepted request, pending until {@link #complete}. */
  public synchronized void accept(
      String requestId, String tenant, WireFormat format, long deadlineMs) {
    long now = clock.millis();
    expire(now);
    entries.remove(requestId);
    entries.put(
        requestId,
        new Stamped(
            new Entry(tenant, format, deadlineMs, null), Math.max(deadlineMs, now) + ttlMs));
    while (entries.size() > capacity) {
      Iterator<String> oldest = entries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** Stores the answer of an accepted request; it is kept for the time to live from now. */
  public synchronized void complete(Response r) {
    Stamped s = entries.get(r.getRequestId());
    if (s != null) {
      Entry e = s.entry();
      entries.put(
          r.getRequestId(),
          new Stamped(
              new Entry(e.tenant(), e.format(), e.deadlineMs(), r), clock.millis() + ttlMs));
    }
  }

  /** The entry of {@code requestId}, or null when unknown or expired. */
  public synchronized Entry get(String requestId) {
    long now = clock.millis();
    expire(now);
    Stamped s = entries.get(requestId);
    if (s != null && s.expiresAtMs() <= now) {
      entries.remove(requestId);
      return null;
    }
    return s == null ? null : s.entry();
  }

  /** Forgets {@code requestId} (its request was never written). */
  public synchronized void remove(String requestId) {
    entries.remove(requestId);
  }

  public synchronized int size() {
    return entries.size();
  }

  private void expire(long now) {
    // a bounded walk from the oldest: amortized, each call removes what it meets expired; get()
    // checks its own entry, so an expired one is never answered
    Iterator<Map.Entry<String, Stamped>> it = entries.entrySet().iterator();
    int scanned = 0;
    while (it.hasNext() && scanned++ < 64) {
      if (it.next().getValue().expiresAtMs() <= now) {
        it.remove();
      }
    }
  }
}
