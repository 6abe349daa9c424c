package io.sluice.frontdoor.reply;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The calls waiting for replies, by request id. Two calls may wait for the same id (a client retry
 * with the same {@code Idempotency-Key} while the first is still open): both get the answer.
 * Thread-safe: event loops add and remove, the reply reader delivers.
 */
public final class Waiters {
  private final ConcurrentHashMap<String, List<Waiter>> byId = new ConcurrentHashMap<>();

  /** Registers {@code w} for {@code requestId}'s replies; before the request is produced. */
  public void add(String requestId, Waiter w) {
    byId.computeIfAbsent(requestId, k -> new CopyOnWriteArrayList<>()).add(w);
  }

  /** Stops delivering to {@code w} (its deadline passed, or the request was never produced). */
  public void remove(String requestId, Waiter w) {
    byId.computeIfPresent(
        requestId,
        (k, list) -> {
          list.remove(w);
          return list.isEmpty() ? null : list;
        });
  }

  /** Delivers a chunk; false when no call waits for it (the record is dropped). */
  public boolean chunk(ResponseChunk c) {
    List<Waiter> list = c.getRequestId() == null ? null : byId.get(c.getRequestId());
    if (list == null) {
      return false;
    }
    list.forEach(w -> w.chunk(c));
    return true;
  }

  /** Delivers the final answer and forgets its waiters; false when no call waits for it. */
  public boolean response(Response r) {
    List<Waiter> list = r.getRequestId() == null ? null : byId.remove(r.getRequestId());
    if (list == null) {
      return false;
    }
    list.forEach(w -> w.response(r));
    return true;
  }

  /** Calls waiting now. */
  public int size() {
    return byId.size();
  }
}
