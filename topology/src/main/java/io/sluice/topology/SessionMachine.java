package io.sluice.topology;

import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.ToolResult;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.semantic.SemanticQuery;
import io.sluice.semantic.SemanticVerdict;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one task as a state machine: each event (a request, a completion, a tool result,
 * a deadline) moves a session's head on — dispatch it, park it for its tools, answer it — and comes
 * back as {@link Decisions} for the processor to carry out. It touches no processor context and
 * writes no store; it reads through {@link SessionStores} and hands jobs to the {@link Dispatcher}
 * (whose refusal it must know at once: the session then waits for the next tick).
 *
 * <p>Invariants, kept here:
 *
 * <ul>
 *   <li>One call in flight per session: only the head of a session's queue is ever dispatched, and
 *       the next is dispatched only once the head is answered ({@link #dispatchHead}).
 *   <li>Answers leave in request order: only the head is answered; a queued request whose deadline
 *       passed is answered when it becomes the head.
 *   <li>The first completion of a pending request wins: a completion of a request no longer
 *       pending, or of an earlier dispatch than the round's, is dropped ({@link #onCompletion}).
 *   <li>A request answered at once (a cache hit, a passed deadline) is never put in {@code
 *       pending}; one that uses no history costs one put at dispatch and one delete at answer.
 * </ul>
 */
final class SessionMachine {
  private static final Logger log = LoggerFactory.getLogger(SessionMachine.class);

  private final Dispatcher dispatcher;
  private final SessionSettings settings;
  private final ToolSettings tools;
  private final int partition;
  private final SessionStores stores;
  private final LongSupplier clock;
  private final SessionQueues queues = new SessionQueues();
  private final Deadlines deadlines = new Deadlines();
  private final Conversation conversation;
  private final ResponseCache cache;
  private final ToolRound toolRound;
  private final Answers answers;
  private final Idempotency repeats;
  private final SharedCalls sharedCalls;
  private final Tracer tracer;

  /**
   * The request that {@link #onRequest} is handing straight to {@link #dispatchHead} before it is
   * in the {@code pending} store: it is stored when it is dispatched, and a request answered at
   * once never touches the store, so a cache hit writes no changelog record and no tombstone.
   */
  private PendingRequest unsaved;

  SessionMachine(
      Dispatcher dispatcher,
      SessionSettings settings,
      CacheSettings cacheSettings,
      ToolSettings tools,
      GatewayMetrics metrics,
      OutputBounds bounds,
      int partition,
      SessionStores stores,
      LongSupplier clock) {
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.tools = tools;
    this.partition = partition;
    this.stores = stores;
    this.clock = clock;
    this.conversation = new Conversation(stores, settings, bounds, metrics);
    this.tracer = new Tracer(settings.spans());
    this.cache = new ResponseCache(cacheSettings, stores, conversation, metrics, clock, tracer);
    this.toolRound = new ToolRound(tools, bounds, metrics, tracer);
    this.repeats = new Idempotency(settings.idempotencyWindow(), queues, stores, clock);
    this.answers =
        new Answers(settings, bounds, metrics, cache, conversation, repeats, clock, tracer);
    this.sharedCalls = new SharedCalls(cacheSettings, tools);
    cache.onSemanticWrite(dispatcher::cached);
  }

  SessionQueues queues() {
    return queues;
  }

  Deadlines deadlines() {
    return deadlines;
  }

  ResponseCache cache() {
    return cache;
  }

  /** Starts a rebuild from the stores (see {@link SessionQueues.Restore}). */
  SessionQueues.Restore restore() {
    unsaved = null;
    return queues.restore(deadlines);
  }

  /** Admits a request whose record names no reply address. */
  Decisions onRequest(Request request, long recordTimestamp, TraceIds.Context trace, long now) {
    return onRequest(request, recordTimestamp, trace, null, now);
  }

  /**
   * Admits a request: queued behind its session's head, or dispatched (or answered) at once; a
   * repeat of one pending or answered within the idempotency window is not admitted ({@link
   * Idempotency}). {@code reply} is the reply address its record named, or null.
   */
  Decisions onRequest(
      Request request, long recordTimestamp, TraceIds.Context trace, ReplyAddress reply, long now) {
    Decisions d = new Decisions();
    String id = request.getRequestId();
    if (repeats.repeated(request, reply, trace, now, d)) {
      return d;
    }
    PendingRequest p =
        AcceptedRequests.pending(
            request,
            recordTimestamp,
            now,
            settings.defaultTimeout().toMillis(),
            trace,
            TraceIds.spanId(),
            queues.takeSeq(),
            reply);
    String sid = request.getSessionId();
    int position = queues.admit(id, sid);
    deadlines.request(p.getDeadlineMs(), id);
    Map<String, String> admitted =
        Map.of(
            "queue_position",
            String.valueOf(position),
            "use_history",
            String.valueOf(request.getUseHistory()));
    tracer.stage(p, "admission", now, clock.getAsLong(), true, admitted, d);
    if (position == 0) {
      queues.holdHead(id, p);
      unsaved = p;
      try {
        dispatchHead(sid, now, d);
      } finally {
        unsaved = null;
      }
    } else {
      d.putPending(id, p);
    }
    return d;
  }

  /** A provider's completion of a head: answer it, or start its tool round. */
  Decisions onCompletion(Completion c, long now) {
    return onCompletion(c, null, now);
  }

  /**
   * A completion of a head; {@code sharedCallOf} names the request whose provider call it shares
   * (single-flight), or is null for the head's own call.
   */
  Decisions onCompletion(Completion c, String sharedCallOf, long now) {
    Decisions d = new Decisions();
    if (!queues.isPending(c.getRequestId())) {
      log.debug(
          "completion of {} (dispatch {}) arrived after its answer; dropped",
          c.getRequestId(),
          c.getDispatch());
      return d;
    }
    PendingRequest p = queues.headOf(c.getRequestId(), stores);
    if (p == null) {
      log.warn(
          "completion of {} is not for the head of session {}; dropped",
          c.getRequestId(),
          queues.sessionOf(c.getRequestId()));
      return d;
    }
    String sid = p.getRequest().getSessionId();
    if (!p.getAwaiting().isEmpty() || c.getDispatch() <= p.getRoundDispatch()) {
      log.debug(
          "completion of {} (dispatch {}) is stale; dropped", c.getRequestId(), c.getDispatch());
      return d;
    }
    SemanticVerdict semantic = SemanticVerdict.of(c);
    if (semantic != null) {
      Outcome hit = cache.semanticHit(p, semantic, now, d);
      if (hit != null) {
        answer(p, hit, now, d);
      }
      dispatchHead(sid, now, d); // after a miss: the same head, now to the providers
      return d;
    }
    Request r = p.getRequest();
    if (c.getOk() && !c.getToolCalls().isEmpty() && tools.enabled() && !r.getTools().isEmpty()) {
      if (p.getRound() < tools.maxRounds()) {
        answers.attempts(p, c, d);
        Outcome tooLarge = toolRound.start(p, c, now, d);
        if (tooLarge == null) {
          queues.notInFlight(r.getRequestId());
          deadlines.toolRound(p.getToolDeadlineMs(), r.getRequestId());
          return d; // parked until the round's results are in
        }
        answer(p, tooLarge, now, d); // the round would not fit in a record
        dispatchHead(sid, now, d);
        return d;
      }
      ErrorInfo tooMany =
          new ErrorInfo(
              "tool_rounds_exceeded",
              "the model still asked for tools after "
                  + tools.maxRounds()
                  + " round(s) (tools.max_rounds)",
              false,
              null,
              null);
      answer(p, new Outcome(false, c, null, tooMany, c.getAttempts().size()), now, d);
    } else {
      answer(p, Outcome.of(c).sharedWith(sharedCallOf), now, d);
    }
    dispatchHead(sid, now, d);
    return d;
  }

  /** A tool's result for a parked head; once the round is complete the head goes back out. */
  Decisions onToolResult(ToolResult result, long now) {
    Decisions d = new Decisions();
    PendingRequest p = queues.headOf(result.getRequestId(), stores);
    if (p == null || !p.getAwaiting().contains(result.getToolCallId())) {
      log.debug("result of tool call {} is late or repeated; dropped", result.getToolCallId());
      return d;
    }
    toolRound.apply(p, result.getToolCallId(), result.getContent(), result.getIsError(), now, d);
    continueAfterTools(p, now, d);
    return d;
  }

  /** The tool round of {@code requestId} may have timed out: its missing results become errors. */
  void toolRoundDue(String requestId, long now, Decisions d) {
    PendingRequest p = queues.headOf(requestId, stores);
    if (p == null
        || p.getAwaiting().isEmpty()
        || p.getToolDeadlineMs() == null
        || p.getToolDeadlineMs() > now) {
      return; // stale: the round ended
    }
    toolRound.timeOut(p, now, d);
    continueAfterTools(p, now, d);
  }

  /**
   * The deadline of {@code requestId} may have passed: a head is answered with {@code timeout}; a
   * queued request is answered when it reaches the head, keeping order.
   */
  void deadlineDue(String requestId, long now, Decisions d) {
    PendingRequest p = queues.headOf(requestId, stores);
    if (p != null && p.getDeadlineMs() <= now) { // not a repeat of an answered request
      answer(p, Outcome.timedOut(p), now, d);
      dispatchHead(p.getRequest().getSessionId(), now, d);
    }
  }

  /**
   * Dispatches again the heads that wait (refused for lack of room, or orphaned), in the order they
   * began to wait, until the dispatcher refuses one.
   */
  void retryUndispatched(long now, Decisions d) {
    for (String sid : queues.waitingForDispatch()) {
      String head = queues.headId(sid);
      if (head == null || queues.inFlight(head)) {
        queues.noDispatchWaiting(sid);
        continue;
      }
      dispatchHead(sid, now, d);
      if (queues.waitsForDispatch(sid)) {
        break; // the dispatcher is full; try again next tick
      }
    }
  }

  /** Once every result of the round is in, the conversation goes back to the model. */
  private void continueAfterTools(PendingRequest p, long now, Decisions d) {
    if (p.getAwaiting().isEmpty()) {
      dispatchHead(p.getRequest().getSessionId(), now, d); // p is its session's head
    }
  }

  /** Dispatches the session's head, first answering heads whose deadline has passed. */
  private void dispatchHead(String sid, long now, Decisions d) {
    String head;
    while ((head = queues.headId(sid)) != null) {
      PendingRequest p = queues.headOf(head, stores);
      if (p == null) {
        continue; // dropped from the queue
      }
      if (now >= p.getDeadlineMs()) {
        answer(p, Outcome.timedOut(p), now, d);
        continue;
      }
      if (!p.getAwaiting().isEmpty()) {
        queues.noDispatchWaiting(sid);
        return; // parked until the round's tool results are in
      }
      Request r = p.getRequest();
      List<ChatMessage> messages = conversation.of(sid, r, d);
      if (p.getRound() == 0) {
        Outcome fromCache = cache.lookup(p, messages, now, d);
        if (fromCache != null) {
          answer(p, fromCache, now, d);
          continue;
        }
      }
      // only the first dispatch looks in the semantic cache; a verdict's miss comes back as a
      // second
      SemanticQuery semantic =
          p.getRound() == 0 && p.getDispatches() == 0 ? cache.semanticQuery(r, messages) : null;
      messages.addAll(p.getToolMessages());
      p.setDispatches(p.getDispatches() + 1);
      d.putPending(head, p);
      if (p == unsaved) {
        unsaved = null; // stored now
      }
      DispatchJob job =
          new DispatchJob(
              head,
              sid,
              partition,
              p.getDispatches(),
              r.getModel(),
              messages,
              r.getParams(),
              r.getTools(),
              p.getDeadlineMs(),
              r.getPriority(),
              r.getStream(),
              p.getReplyTopic(),
              p.getReplyPartition(),
              p.getRound() == 0 ? sharedCalls.key(cache, r, messages) : null,
              semantic);
      if (dispatcher.submit(job)) {
        queues.dispatched(head, sid, now);
      } else {
        queues.waitForDispatch(sid);
      }
      return;
    }
    queues.noDispatchWaiting(sid);
  }

  /**
   * Answers the session's head ({@link Answers}) and removes it from its queue and the {@code
   * pending} store. The caller dispatches the next head.
   */
  private void answer(PendingRequest p, Outcome a, long now, Decisions d) {
    answers.answer(p, a, now, d);
    String id = p.getRequest().getRequestId();
    if (p == unsaved) {
      unsaved = null; // answered before it was ever stored
    } else {
      d.deletePending(id);
    }
    queues.removeHead(id, p.getRequest().getSessionId());
  }
}
