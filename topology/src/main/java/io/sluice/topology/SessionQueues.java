package io.sluice.topology;

import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a task keeps in memory of its sessions: each session's queue of pending request_ids (the
 * head first), the heads being worked on, which calls are in flight and which heads wait for a
 * dispatch. All of it is rebuilt from the {@code pending} store when the task starts ({@link
 * Restore}), so the {@code pending} store stays the only durable truth.
 */
final class SessionQueues {
  private static final Logger log = LoggerFactory.getLogger(SessionQueues.class);

  /** Sessions with pending requests: their request_ids in admission order, the head first. */
  private final Map<String, ArrayDeque<String>> queues = new HashMap<>();

  /** Every pending request_id of this task, to its session_id. */
  private final Map<String, String> sessionOf = new HashMap<>();

  /**
   * The heads being worked on, the same objects as stored in {@code pending} (every change is put
   * back), so a completion is matched without reading the store. Requests queued behind a head stay
   * only in the store until they become the head.
   */
  private final Map<String, PendingRequest> heads = new HashMap<>();

  /** request_id to when this task dispatched it; absent means no call is known in flight. */
  private final Map<String, Long> dispatchedAt = new HashMap<>();

  /** Sessions whose head waits for a dispatch (refused for lack of room, or orphaned). */
  private final Set<String> undispatched = new LinkedHashSet<>();

  /** The next admission's {@link PendingRequest#getSeq()}. */
  private long nextSeq = 1;

  boolean isPending(String requestId) {
    return sessionOf.containsKey(requestId);
  }

  String sessionOf(String requestId) {
    return sessionOf.get(requestId);
  }

  boolean hasQueue(String sid) {
    return queues.containsKey(sid);
  }

  /** The session's head's request_id, or null when nothing of it is pending. */
  String headId(String sid) {
    ArrayDeque<String> queue = queues.get(sid);
    return queue == null ? null : queue.peekFirst();
  }

  long takeSeq() {
    return nextSeq++;
  }

  /** Queues {@code requestId} at the end of its session's queue; returns its place (0: head). */
  int admit(String requestId, String sid) {
    ArrayDeque<String> queue = queues.computeIfAbsent(sid, k -> new ArrayDeque<>());
    queue.add(requestId);
    sessionOf.put(requestId, sid);
    return queue.size() - 1;
  }

  /**
   * The pending request {@code id} if it is the head of its session's queue (read through {@code
   * stores} the first time), else null.
   */
  PendingRequest headOf(String id, SessionStores stores) {
    String sid = sessionOf.get(id);
    ArrayDeque<String> queue = sid == null ? null : queues.get(sid);
    if (queue == null || !id.equals(queue.peekFirst())) {
      return null;
    }
    PendingRequest p = heads.get(id);
    if (p == null) {
      p = stores.pending(id);
      if (p == null) {
        log.warn("request {} is queued but not in the pending store; dropped", id);
        queue.pollFirst();
        sessionOf.remove(id);
        if (queue.isEmpty()) {
          queues.remove(sid);
        }
        return null;
      }
      heads.put(id, p);
    }
    return p;
  }

  void holdHead(String id, PendingRequest p) {
    heads.put(id, p);
  }

  /** Forgets the answered head {@code id} of session {@code sid}. */
  void removeHead(String id, String sid) {
    dispatchedAt.remove(id);
    heads.remove(id);
    sessionOf.remove(id);
    ArrayDeque<String> queue = queues.get(sid);
    if (queue != null) {
      queue.remove(id); // the head
      if (queue.isEmpty()) {
        queues.remove(sid);
      }
    }
  }

  void dispatched(String id, String sid, long now) {
    dispatchedAt.put(id, now);
    undispatched.remove(sid);
  }

  boolean inFlight(String id) {
    return dispatchedAt.containsKey(id);
  }

  /** No call of {@code id} is in flight any more (its tool round started). */
  void notInFlight(String id) {
    dispatchedAt.remove(id);
  }

  void waitForDispatch(String sid) {
    undispatched.add(sid);
  }

  void noDispatchWaiting(String sid) {
    undispatched.remove(sid);
  }

  boolean waitsForDispatch(String sid) {
    return undispatched.contains(sid);
  }

  /** The sessions whose head waits for a dispatch, in the order they began to wait (a copy). */
  List<String> waitingForDispatch() {
    return undispatched.isEmpty() ? List.of() : new ArrayList<>(undispatched);
  }

  /** Calls in flight for {@code orphanAfter} or longer are forgotten; their sessions wait again. */
  void orphans(long now, Duration orphanAfter) {
    for (Iterator<Map.Entry<String, Long>> it = dispatchedAt.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() >= orphanAfter.toMillis()) {
        it.remove();
        String sid = sessionOf.get(e.getKey());
        if (sid != null) {
          log.info("no completion of {} after {}; dispatching it again", e.getKey(), orphanAfter);
          undispatched.add(sid);
        }
      }
    }
  }

  /** Starts a rebuild from the stores: everything in memory is forgotten. */
  Restore restore(Deadlines deadlines) {
    return new Restore(deadlines);
  }

  /**
   * Rebuilds the queues from the stores, starting empty: a processor is initialized again, without
   * being built again, when its task is revived after a dirty close. Every pending request is
   * queued in its {@link PendingRequest#getSeq()} order and every session waits for a dispatch: no
   * call is known to be in flight.
   */
  final class Restore {
    private record Queued(String id, long seq, long acceptedAt) {}

    private final Deadlines deadlines;
    private final Map<String, List<Queued>> bySession = new HashMap<>();
    private final Map<String, List<String>> stored = new HashMap<>();

    Restore(Deadlines deadlines) {
      this.deadlines = deadlines;
      queues.clear();
      sessionOf.clear();
      heads.clear();
      dispatchedAt.clear();
      undispatched.clear();
      nextSeq = 1;
    }

    /** One entry of the {@code pending} store; all of them first. */
    void pending(String id, PendingRequest p) {
      String sid = p.getRequest().getSessionId();
      bySession
          .computeIfAbsent(sid, k -> new ArrayList<>())
          .add(new Queued(id, p.getSeq(), p.getAcceptedAtMs()));
      sessionOf.put(id, sid);
      nextSeq = Math.max(nextSeq, p.getSeq() + 1);
      deadlines.request(p.getDeadlineMs(), id);
      if (!p.getAwaiting().isEmpty() && p.getToolDeadlineMs() != null) {
        deadlines.toolRound(p.getToolDeadlineMs(), id);
      }
    }

    /** One entry of the {@code sessions} store, after every pending one. */
    void session(String sid, SessionState st) {
      // Sessions written before PendingRequest.seq existed held their queue: keep that order.
      if (!st.getQueue().isEmpty() && bySession.containsKey(sid)) {
        stored.put(sid, st.getQueue());
      }
    }

    /** Orders each session's queue; returns how many sessions wait for a dispatch. */
    int done() {
      bySession.forEach(
          (sid, list) -> {
            List<String> old = stored.getOrDefault(sid, List.of());
            list.sort(
                Comparator.comparingInt(
                        (Queued q) -> old.contains(q.id()) ? old.indexOf(q.id()) : old.size())
                    .thenComparingLong(Queued::seq)
                    .thenComparingLong(Queued::acceptedAt));
            ArrayDeque<String> queue = new ArrayDeque<>();
            list.forEach(q -> queue.add(q.id()));
            queues.put(sid, queue);
            undispatched.add(sid);
          });
      return undispatched.size();
    }
  }
}
