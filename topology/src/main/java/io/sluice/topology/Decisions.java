package io.sluice.topology;

import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one event (a request, a completion, a tool result, a punctuation) decided, in the order it
 * decided it: records to forward and writes to the {@code pending}, {@code sessions} and {@code
 * answered} stores. The rooms only add to it; the processor carries it out, and is the only one
 * that writes.
 *
 * <p>A store write holds the object, not its bytes: the processor serializes it when it carries the
 * decision out, at the end of the event. Only the last write of a pending request in one event is
 * kept (a tool result then its dispatch: one put, not two; a put then the answer's delete: the
 * delete), since nothing reads the store between them and the event's writes are committed
 * together: each dropped write is a changelog record fewer, with the same state at every commit.
 */
final class Decisions {
  /** One decision. */
  sealed interface Decision {}

  /** Forward {@code out} under {@code key} (after its size bound). */
  record Emit(String key, SessionOutput out) implements Decision {}

  /** Put the pending request. */
  record PutPending(String requestId, PendingRequest pending) implements Decision {}

  /** Delete the pending request: it is answered. */
  record DeletePending(String requestId) implements Decision {}

  /** Put the session (its history changed). */
  record PutSession(String sessionId, SessionState session) implements Decision {}

  /** Delete the session: it is idle. */
  record DeleteSession(String sessionId) implements Decision {}

  /** Keep {@code response}, the answer to {@code requestId}, for the idempotency window. */
  record PutAnswered(String requestId, Response response, long atMs) implements Decision {}

  private final List<Decision> all = new ArrayList<>(8);

  /** Sessions put by this event: read back from here, as the store would return them. */
  private Map<String, SessionState> sessionsPut;

  void emit(String key, SessionOutput out) {
    all.add(new Emit(key, out));
  }

  void putPending(String requestId, PendingRequest p) {
    dropPendingWrites(requestId);
    all.add(new PutPending(requestId, p));
  }

  void deletePending(String requestId) {
    dropPendingWrites(requestId);
    all.add(new DeletePending(requestId));
  }

  /** Drops this event's earlier writes of {@code requestId}'s pending value: the last one wins. */
  private void dropPendingWrites(String requestId) {
    all.removeIf(
        x ->
            x instanceof PutPending put && put.requestId().equals(requestId)
                || x instanceof DeletePending delete && delete.requestId().equals(requestId));
  }

  void putSession(String sessionId, SessionState st) {
    all.add(new PutSession(sessionId, st));
    if (sessionsPut == null) {
      sessionsPut = new HashMap<>();
    }
    sessionsPut.put(sessionId, st);
  }

  void deleteSession(String sessionId) {
    all.add(new DeleteSession(sessionId));
  }

  void putAnswered(String requestId, Response response, long atMs) {
    all.add(new PutAnswered(requestId, response, atMs));
  }

  /**
   * A copy of the session this event put, as the store would return it once the put is carried out,
   * or null when this event put none.
   */
  SessionState sessionPut(String sessionId) {
    SessionState st = sessionsPut == null ? null : sessionsPut.get(sessionId);
    return st == null ? null : SessionState.newBuilder(st).build();
  }

  List<Decision> all() {
    return all;
  }

  /** The records to forward, in order (for tests and logs). */
  List<Emit> emits() {
    List<Emit> emits = new ArrayList<>();
    all.forEach(
        x -> {
          if (x instanceof Emit e) {
            emits.add(e);
          }
        });
    return emits;
  }
}
