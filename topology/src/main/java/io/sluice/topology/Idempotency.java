package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats of a request_id, seen from the session processor. A repeat of a request still pending is
 * not admitted again; when its record names another reply address (a front door that restarted, a
 * client retrying elsewhere), the pending request takes that address, so the answer goes where the
 * caller now waits. With an idempotency window ({@code sessions.idempotency_window}), a repeat of a
 * request answered within the window is answered at once with the first answer, {@code replayed}
 * true: no provider call, no history change, no Usage record, no cache write.
 *
 * <p>The answers live in the {@code answered} window store (retention: the window), keyed by
 * request_id, written once per answer ({@link #remember}) and read once per admitted request
 * ({@link #repeated}); expired segments are dropped whole, so expiry costs no sweep. Like every
 * room, this one writes nothing itself: it reads through {@link SessionStores} and decides.
 */
final class Idempotency {
  private static final Logger log = LoggerFactory.getLogger(Idempotency.class);

  private final long windowMs;
  private final SessionQueues queues;
  private final SessionStores stores;
  private final LongSupplier clock;

  Idempotency(Duration window, SessionQueues queues, SessionStores stores, LongSupplier clock) {
    this.windowMs = window.toMillis();
    this.queues = queues;
    this.stores = stores;
    this.clock = clock;
  }

  /**
   * Whether {@code r} repeats a request this task knows, pending or answered within the window; if
   * so, what to do about it is in {@code d} and the request is not admitted again.
   */
  boolean repeated(Request r, ReplyAddress reply, TraceIds.Context trace, long now, Decisions d) {
    String id = r.getRequestId();
    if (queues.isPending(id)) {
      readdress(id, reply, d);
      return true;
    }
    if (windowMs <= 0) {
      return false;
    }
    Response first = stores.answered(id, now - windowMs);
    if (first == null) {
      return false;
    }
    replay(r, first, reply, trace, now, d);
    return true;
  }

  /** Keeps {@code response} (already size-bounded) as the answer to its request, for the window. */
  void remember(Response response, long now, Decisions d) {
    if (windowMs > 0 && !response.getReplayed()) {
      d.putAnswered(response.getRequestId(), response, now);
    }
  }

  /** A pending repeat whose record names a new reply address moves the answer there. */
  private void readdress(String id, ReplyAddress reply, Decisions d) {
    PendingRequest p = queues.headOf(id, stores);
    if (p == null) {
      p = stores.pending(id); // queued behind its session's head: only in the store
    }
    if (reply == null || p == null || reply.equals(ReplyAddress.of(p))) {
      log.debug("request {} is already pending; the repeat is ignored", id);
      return;
    }
    log.debug("request {} is already pending; its answer goes to {} now", id, reply);
    reply.into(p);
    d.putPending(id, p);
  }

  /**
   * The first answer again, as it was (content, attempts, usage, cost, latency) but for {@code
   * replayed}, {@code responded_at} and the trace id, which is the repeat's: its {@code replay}
   * span names the first answer's trace in {@code original_trace_id}.
   */
  private void replay(
      Request r,
      Response first,
      ReplyAddress reply,
      TraceIds.Context trace,
      long now,
      Decisions d) {
    Response again =
        Response.newBuilder(first)
            .setReplayed(true)
            .setRespondedAt(now)
            .setTraceId(trace.traceId())
            .build();
    Map<String, String> attrs = new HashMap<>();
    attrs.put("replayed", "true");
    attrs.put("status", first.getStatus().name());
    attrs.put("first_responded_at", String.valueOf(first.getRespondedAt()));
    if (first.getTraceId() != null) {
      attrs.put("original_trace_id", first.getTraceId());
    }
    d.emit(
        r.getRequestId(),
        new SessionOutput.SpanOut(
            Spans.span(
                r,
                trace.traceId(),
                TraceIds.spanId(),
                "replay",
                trace.parentSpanId(),
                now,
                clock.getAsLong(),
                true,
                attrs)));
    d.emit(again.getSessionId(), new SessionOutput.ResponseOut(again));
    if (reply != null) {
      d.emit(again.getSessionId(), SessionOutput.ReplyOut.to(reply, again));
    }
    // admission may have counted the repeat as a new request: its slot is free again
    d.emit(Answers.tenantKey(r.getTenantId()), new SessionOutput.ReleaseOut(r.getRequestId()));
  }
}
