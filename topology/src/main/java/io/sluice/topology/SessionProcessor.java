package io.sluice.topology;

import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolResult;
import io.sluice.events.Usage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.metrics.GatewayMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session processor per task, keyed by session_id. It admits requests into the durable {@code
 * pending} store and its session's queue, dispatches the head of each queue (one call in flight per
 * session), and answers when the head's completion comes back or its deadline passes, so responses
 * leave in request order.
 *
 * <p>State: the {@code pending} store is the durable truth of what is accepted and unanswered; the
 * {@code sessions} store holds conversation history, and only for sessions that use it. Each
 * session's queue and the heads being worked on are kept in memory, rebuilt from {@code pending}
 * (in {@link PendingRequest#getSeq()} order) in {@code init}, so answering a request reads no
 * store: a request that uses no history costs one {@code pending} put when it is dispatched and one
 * delete when it is answered, nothing else.
 *
 * <p>Threading: only the stream thread calls {@code init}, {@code process} and the punctuators;
 * every field, both stores and the context are confined to it. The dispatcher is handed immutable
 * jobs and never calls back into this class: outcomes return through the completions topic.
 *
 * <p>After a restart, a rebalance or a dirty close under exactly-once, {@code init} starts from the
 * stores again: no call is known to be in flight, so every head is dispatched again on the first
 * tick. A repeated provider call can happen; a repeated answer cannot, because only the first
 * completion of a pending request is used.
 */
final class SessionProcessor implements Processor<String, SessionInput, String, SessionOutput> {
  private static final Logger log = LoggerFactory.getLogger(SessionProcessor.class);

  private final Dispatcher dispatcher;
  private final SessionSettings settings;
  private final CacheSettings cache;
  private final GatewayMetrics metrics;
  private final ToolSettings tools;
  private final OutputBounds bounds;
  private KeyValueStore<String, Response> cacheStore;
  private StoreSweep<Response> cachePurge;
  private StoreSweep<SessionState> idleSweep;
  private ProcessorContext<String, SessionOutput> context;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;
  private int partition;

  /** request_id to when this task dispatched it; absent means no call is known in flight. */
  private final Map<String, Long> dispatchedAt = new HashMap<>();

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

  /** The next admission's {@link PendingRequest#getSeq()}. */
  private long nextSeq;

  /** Sessions whose head waits for a dispatch (refused for lack of room, or orphaned). */
  private final Set<String> undispatched = new LinkedHashSet<>();

  /** Deadlines of pending requests; stale entries are skipped when polled. */
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();

  private long lastOrphanScan;

  /**
   * The request that {@link #onRequest} is handing straight to {@link #dispatchHead} before it is
   * in the {@code pending} store: it is stored when it is dispatched, and a request answered at
   * once (a cache hit, a passed deadline) never touches the store, so a cache hit writes no
   * changelog record and no tombstone.
   */
  private PendingRequest unsaved;

  /** Deadlines of tool rounds; stale entries are skipped when polled. */
  private final PriorityQueue<Deadline> toolDeadlines = new PriorityQueue<>();

  private record Deadline(long at, String requestId) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline o) {
      return Long.compare(at, o.at);
    }
  }

  SessionProcessor(
      Dispatcher dispatcher,
      SessionSettings settings,
      CacheSettings cache,
      ToolSettings tools,
      GatewayMetrics metrics,
      OutputBounds bounds) {
    this.tools = tools;
    this.bounds = bounds;
    this.cache = cache;
    this.metrics = metrics;
    this.dispatcher = dispatcher;
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, SessionOutput> context) {
    this.context = context;
    this.sessions = context.getStateStore(SessionProcessorSupplier.SESSIONS);
    this.pending = context.getStateStore(SessionProcessorSupplier.PENDING);
    this.partition = context.taskId().partition();
    if (cache.enabled()) {
      this.cacheStore = context.getStateStore(CacheStoreUpdater.STORE);
    }
    rebuildFromStores();
    if (!undispatched.isEmpty()) {
      log.info(
          "task {}: {} session(s) with pending requests to dispatch again",
          context.taskId(),
          undispatched.size());
    }
    context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    long idleMs = settings.idleTtl().toMillis();
    idleSweep =
        new StoreSweep<>(
            java.time.Duration.ofSeconds(60),
            (sid, st, now) -> !queues.containsKey(sid) && now - st.getUpdatedAtMs() > idleMs);
    context.schedule(
        java.time.Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::expireIdleSessions);
    if (cache.enabled() && partition == 0) {
      // one task deletes expired cache entries for all: the global store is the same everywhere
      long ttlMs = cache.ttl().toMillis();
      cachePurge =
          new StoreSweep<>(
              StoreSweep.interval(cache.ttl()), (key, r, now) -> now - r.getRespondedAt() > ttlMs);
      context.schedule(
          java.time.Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::purgeCache);
    }
  }

  /** Writes a tombstone to the cache topic for each expired entry of the next slice. */
  private void purgeCache(long now) {
    List<String> expired = cachePurge.next(cacheStore, now);
    for (String key : expired) {
      emit(key, new SessionOutput.CacheOut(null), now);
    }
    if (!expired.isEmpty()) {
      metrics.cachePurged(expired.size());
    }
  }

  /**
   * Rebuilds what is kept in memory from the stores. A processor is initialized again, without
   * being built again, when its task is revived after a dirty close, so everything starts empty.
   */
  private void rebuildFromStores() {
    dispatchedAt.clear();
    undispatched.clear();
    deadlines.clear();
    toolDeadlines.clear();
    queues.clear();
    sessionOf.clear();
    heads.clear();
    unsaved = null;
    lastOrphanScan = 0;
    nextSeq = 1;
    record Queued(String id, long seq, long acceptedAt) {}
    Map<String, List<Queued>> bySession = new HashMap<>();
    try (KeyValueIterator<String, PendingRequest> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, PendingRequest> kv = it.next();
        PendingRequest p = kv.value;
        String sid = p.getRequest().getSessionId();
        bySession
            .computeIfAbsent(sid, k -> new ArrayList<>())
            .add(new Queued(kv.key, p.getSeq(), p.getAcceptedAtMs()));
        sessionOf.put(kv.key, sid);
        nextSeq = Math.max(nextSeq, p.getSeq() + 1);
        deadlines.add(new Deadline(p.getDeadlineMs(), kv.key));
        if (!p.getAwaiting().isEmpty() && p.getToolDeadlineMs() != null) {
          toolDeadlines.add(new Deadline(p.getToolDeadlineMs(), kv.key));
        }
      }
    }
    // Sessions written before PendingRequest.seq existed held their queue: keep that order.
    Map<String, List<String>> stored = new HashMap<>();
    try (KeyValueIterator<String, SessionState> it = sessions.all()) {
      while (it.hasNext()) {
        KeyValue<String, SessionState> kv = it.next();
        if (!kv.value.getQueue().isEmpty() && bySession.containsKey(kv.key)) {
          stored.put(kv.key, kv.value.getQueue());
        }
      }
    }
    bySession.forEach(
        (sid, list) -> {
          List<String> old = stored.getOrDefault(sid, List.of());
          list.sort(
              java.util.Comparator.comparingInt(
                      (Queued q) -> old.contains(q.id()) ? old.indexOf(q.id()) : old.size())
                  .thenComparingLong(Queued::seq)
                  .thenComparingLong(Queued::acceptedAt));
          ArrayDeque<String> queue = new ArrayDeque<>();
          list.forEach(q -> queue.add(q.id()));
          queues.put(sid, queue);
          undispatched.add(sid);
        });
  }

  @Override
  public void process(Record<String, SessionInput> record) {
    if (record.value() instanceof SessionInput.RequestIn in) {
      onRequest(record, in.request());
    } else if (record.value() instanceof SessionInput.CompletionIn in) {
      onCompletion(in.completion());
    } else if (record.value() instanceof SessionInput.ToolResultIn in) {
      onToolResult(in.result());
    }
  }

  private void onRequest(Record<String, SessionInput> record, Request request) {
    long now = context.currentSystemTimeMs();
    String id = request.getRequestId();
    if (sessionOf.containsKey(id)) {
      log.debug("request {} is already pending; the repeat is ignored", id);
      return;
    }
    long createdAt =
        request.getCreatedAt() != null ? request.getCreatedAt().toEpochMilli() : record.timestamp();
    long timeout =
        request.getTimeoutMs() != null
            ? request.getTimeoutMs()
            : settings.defaultTimeout().toMillis();
    TraceIds.Context trace = TraceIds.of(record.headers());
    PendingRequest p =
        PendingRequest.newBuilder()
            .setRequest(request)
            .setAcceptedAtMs(now)
            .setCreatedAtMs(createdAt)
            .setDeadlineMs(createdAt + timeout)
            .setTraceId(trace.traceId())
            .setRootSpanId(TraceIds.spanId())
            .setParentSpanId(trace.parentSpanId())
            .setSeq(nextSeq++)
            .build();
    String sid = request.getSessionId();
    ArrayDeque<String> queue = queues.computeIfAbsent(sid, k -> new ArrayDeque<>());
    queue.add(id);
    sessionOf.put(id, sid);
    deadlines.add(new Deadline(p.getDeadlineMs(), id));
    emit(
        request.getRequestId(),
        new SessionOutput.SpanOut(
            Spans.span(
                p,
                "admission",
                p.getRootSpanId(),
                now,
                context.currentSystemTimeMs(),
                true,
                Map.of(
                    "queue_position",
                    String.valueOf(queue.size() - 1),
                    "use_history",
                    String.valueOf(request.getUseHistory())))),
        now);
    if (queue.size() == 1) {
      heads.put(id, p);
      unsaved = p;
      try {
        dispatchHead(sid, now);
      } finally {
        unsaved = null;
      }
    } else {
      pending.put(id, p);
    }
  }

  /**
   * The pending request {@code id} if it is the head of its session's queue (read from the store
   * the first time), else null.
   */
  private PendingRequest headOf(String id) {
    String sid = sessionOf.get(id);
    ArrayDeque<String> queue = sid == null ? null : queues.get(sid);
    if (queue == null || !id.equals(queue.peekFirst())) {
      return null;
    }
    PendingRequest p = heads.get(id);
    if (p == null) {
      p = pending.get(id);
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

  /** Dispatches the session's head, first answering heads whose deadline has passed. */
  private void dispatchHead(String sid, long now) {
    ArrayDeque<String> queue;
    while ((queue = queues.get(sid)) != null) {
      PendingRequest p = headOf(queue.peekFirst());
      if (p == null) {
        continue; // dropped from the queue
      }
      if (now >= p.getDeadlineMs()) {
        answer(p, Answer.failed(timeoutError(p), p.getDispatches()), now);
        continue;
      }
      if (!p.getAwaiting().isEmpty()) {
        undispatched.remove(sid);
        return; // parked until the round's tool results are in
      }
      Request r = p.getRequest();
      String head = r.getRequestId();
      List<ChatMessage> messages = conversation(sid, r);
      if (p.getRound() == 0 && answeredFromCache(p, messages, now)) {
        continue;
      }
      messages.addAll(p.getToolMessages());
      p.setDispatches(p.getDispatches() + 1);
      pending.put(head, p);
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
              r.getPriority());
      if (dispatcher.submit(job)) {
        dispatchedAt.put(head, now);
        undispatched.remove(sid);
      } else {
        undispatched.add(sid);
      }
      return;
    }
    undispatched.remove(sid);
  }

  private void onCompletion(Completion c) {
    if (!sessionOf.containsKey(c.getRequestId())) {
      log.debug(
          "completion of {} (dispatch {}) arrived after its answer; dropped",
          c.getRequestId(),
          c.getDispatch());
      return;
    }
    PendingRequest p = headOf(c.getRequestId());
    if (p == null) {
      log.warn(
          "completion of {} is not for the head of session {}; dropped",
          c.getRequestId(),
          sessionOf.get(c.getRequestId()));
      return;
    }
    String sid = p.getRequest().getSessionId();
    if (!p.getAwaiting().isEmpty() || c.getDispatch() <= p.getRoundDispatch()) {
      log.debug(
          "completion of {} (dispatch {}) is stale; dropped", c.getRequestId(), c.getDispatch());
      return;
    }
    long now = context.currentSystemTimeMs();
    Request r = p.getRequest();
    if (c.getOk() && !c.getToolCalls().isEmpty() && tools.enabled() && !r.getTools().isEmpty()) {
      if (p.getRound() < tools.maxRounds()) {
        if (startToolRound(p, c, now)) {
          return;
        }
        dispatchHead(sid, now); // answered: the round would not fit in a record
        return;
      }
      ErrorInfo tooMany =
          new ErrorInfo(
              "tool_rounds_exceeded",
              "the model still asked for tools after "
                  + tools.maxRounds()
                  + " round(s) (tools.max_rounds)",
              false,
              null);
      answer(p, new Answer(false, c, null, tooMany, c.getAttempts().size()), now);
    } else {
      answer(p, Answer.of(c), now);
    }
    dispatchHead(sid, now);
  }

  /**
   * The model asked for tools: records this round's calls, emits one ToolCall each and parks the
   * request (its session waits) until every result is in or the round times out. Returns false when
   * the conversation with this round would not fit in a record: the request is then answered with
   * {@code request_too_large}.
   */
  private boolean startToolRound(PendingRequest p, Completion c, long now) {
    Request r = p.getRequest();
    String id = r.getRequestId();
    emitAttempts(p, c.getAttempts(), now);
    long deadline = now + tools.timeout().toMillis();
    List<ChatMessage> toolMessages = new ArrayList<>(p.getToolMessages());
    toolMessages.add(assistantTurn(c.getContent(), c.getToolCalls()));
    List<String> awaiting = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ToolInvocation t : c.getToolCalls()) {
      awaiting.add(t.getId());
      names.add(t.getName());
    }
    p.setRound(p.getRound() + 1);
    p.setRoundDispatch(c.getDispatch());
    p.setToolMessages(toolMessages);
    p.setAwaiting(awaiting);
    p.setAwaitingNames(names);
    p.setToolDeadlineMs(deadline);
    p.setRoundStartedMs(now);
    p.setPriorAttempts(p.getPriorAttempts() + c.getAttempts().size());
    p.setPriorCostUsd(p.getPriorCostUsd() + c.getCostUsd());
    p.setPriorPromptTokens(p.getPriorPromptTokens() + c.getUsage().getPromptTokens());
    p.setPriorCompletionTokens(p.getPriorCompletionTokens() + c.getUsage().getCompletionTokens());
    long bound = bounds.limits().valueBound(id);
    if (io.sluice.schema.serde.AvroSize.exceeds(p, bound)) {
      metrics.recordBounded("PendingRequest", "replaced");
      answer(
          p,
          Answer.failed(
              new ErrorInfo(
                  "request_too_large",
                  "the conversation with tool round "
                      + p.getRound()
                      + " is over the record limit of "
                      + bound
                      + " bytes (kafka.max_record_bytes)",
                  false,
                  null),
              0),
          now);
      return false;
    }
    pending.put(id, p);
    dispatchedAt.remove(id);
    toolDeadlines.add(new Deadline(deadline, id));
    for (ToolInvocation t : c.getToolCalls()) {
      emit(
          r.getSessionId(),
          new SessionOutput.ToolCallOut(
              new ToolCall(
                  id,
                  r.getSessionId(),
                  t.getId(),
                  t.getName(),
                  t.getArgumentsJson(),
                  p.getRound(),
                  deadline,
                  p.getTraceId())),
          now);
    }
    return true;
  }

  private void onToolResult(ToolResult result) {
    PendingRequest p = headOf(result.getRequestId());
    if (p == null || !p.getAwaiting().contains(result.getToolCallId())) {
      log.debug("result of tool call {} is late or repeated; dropped", result.getToolCallId());
      return;
    }
    long now = context.currentSystemTimeMs();
    applyToolResult(p, result.getToolCallId(), result.getContent(), result.getIsError(), now);
    continueAfterTools(p, now);
  }

  /** Adds one result to the round: a tool message for the model and a tool.call span. */
  private void applyToolResult(
      PendingRequest p, String callId, String content, boolean isError, long now) {
    int i = p.getAwaiting().indexOf(callId);
    List<String> awaiting = new ArrayList<>(p.getAwaiting());
    List<String> names = new ArrayList<>(p.getAwaitingNames());
    String name = i < names.size() ? names.get(i) : "";
    awaiting.remove(i);
    if (i < names.size()) {
      names.remove(i);
    }
    List<ChatMessage> toolMessages = new ArrayList<>(p.getToolMessages());
    ChatMessage message = new ChatMessage("tool", content, callId, name, List.of());
    toolMessages.add(message);
    inCallOrder(toolMessages);
    p.setAwaiting(awaiting);
    p.setAwaitingNames(names);
    p.setToolMessages(toolMessages);
    long bound = bounds.limits().valueBound(p.getRequest().getRequestId());
    if (io.sluice.schema.serde.AvroSize.exceeds(p, bound)) {
      // the model is told the tool failed; the request goes on and stays within its record
      long bytes = History.bytes(message);
      message.setContent(
          "[the result of tool '"
              + name
              + "' was "
              + bytes
              + " bytes and was dropped: over the record limit of "
              + bound
              + " bytes (kafka.max_record_bytes)]");
      isError = true;
      metrics.recordBounded("ToolResult", "replaced");
    }
    pending.put(p.getRequest().getRequestId(), p);
    Map<String, String> attrs = new HashMap<>();
    attrs.put("tool", name);
    attrs.put("tool_call_id", callId);
    attrs.put("round", String.valueOf(p.getRound()));
    attrs.put("is_error", String.valueOf(isError));
    emit(
        p.getRequest().getRequestId(),
        new SessionOutput.SpanOut(
            Spans.span(
                p, "tool.call", p.getRootSpanId(), p.getRoundStartedMs(), now, !isError, attrs)),
        now);
  }

  /**
   * Puts the current round's results in the order the model asked for the calls, whatever order
   * they arrived in, so the follow-up conversation (and its answer) does not depend on which tool
   * was faster.
   */
  private static void inCallOrder(List<ChatMessage> toolMessages) {
    int round = toolMessages.size() - 1;
    while (round >= 0 && toolMessages.get(round).getRole().equals("tool")) {
      round--;
    }
    if (round < 0) {
      return;
    }
    List<String> order = new ArrayList<>();
    toolMessages.get(round).getToolCalls().forEach(t -> order.add(t.getId()));
    toolMessages
        .subList(round + 1, toolMessages.size())
        .sort(java.util.Comparator.comparingInt(m -> order.indexOf(m.getToolCallId())));
  }

  /** Once every result of the round is in, the conversation goes back to the model. */
  private void continueAfterTools(PendingRequest p, long now) {
    if (!p.getAwaiting().isEmpty()) {
      return;
    }
    dispatchHead(p.getRequest().getSessionId(), now); // p is its session's head
  }

  /** What a request is answered with: a completion, an error, or a cache hit. */
  private record Answer(
      boolean ok, Completion completion, Response cached, ErrorInfo error, int attempts) {
    static Answer of(Completion c) {
      return new Answer(c.getOk(), c, null, c.getError(), c.getAttempts().size());
    }

    static Answer failed(ErrorInfo e, int attempts) {
      return new Answer(false, null, null, e, attempts);
    }

    static Answer cached(Response hit) {
      return new Answer(true, null, hit, null, 0);
    }
  }

  /**
   * Answers the session's head and removes it, adding the turn to the history if the request uses
   * it. The caller dispatches the next head.
   */
  private void answer(PendingRequest p, Answer a, long now) {
    Request r = p.getRequest();
    String id = r.getRequestId();
    Completion c = a.completion();
    Response hit = a.cached();
    List<Attempt> attempts = c == null ? List.of() : c.getAttempts();
    Response.Builder b =
        Response.newBuilder()
            .setRequestId(id)
            .setSessionId(r.getSessionId())
            .setTenantId(r.getTenantId())
            .setStatus(a.ok() ? ResponseStatus.OK : ResponseStatus.ERROR)
            .setModel(r.getModel())
            .setToolCalls(List.of())
            .setUsage(totalUsage(p, null))
            .setCostUsd(p.getPriorCostUsd() + (c != null ? c.getCostUsd() : 0.0))
            .setCacheHit(hit != null)
            .setAttempts(p.getPriorAttempts() + a.attempts())
            .setLatencyMs(Math.max(0, now - p.getCreatedAtMs()))
            .setError(a.ok() ? null : a.error())
            .setTraceId(p.getTraceId())
            .setRespondedAt(now);
    if (hit != null) {
      b.setProviderModel(hit.getProviderModel())
          .setContent(hit.getContent())
          .setToolCalls(hit.getToolCalls())
          .setFinishReason(hit.getFinishReason());
    } else if (a.ok()) {
      b.setProvider(c.getProvider())
          .setProviderModel(c.getProviderModel())
          .setContent(c.getContent())
          .setToolCalls(c.getToolCalls())
          .setFinishReason(c.getFinishReason())
          .setUsage(totalUsage(p, c.getUsage()));
    } else if (c != null) {
      b.setUsage(totalUsage(p, c.getUsage()));
    }
    Response response = bounds.response(b.build());
    boolean ok = response.getStatus() == ResponseStatus.OK;
    emitAttempts(p, attempts, now);
    if (hit != null) {
      emit(
          r.getTenantId(),
          new SessionOutput.UsageOut(
              new Usage(
                  r.getTenantId(),
                  id,
                  null,
                  r.getModel(),
                  hit.getProviderModel(),
                  0,
                  0,
                  0.0,
                  true,
                  now)),
          now);
    }
    Map<String, String> respondAttrs = new HashMap<>();
    respondAttrs.put("status", response.getStatus().name());
    if (settings.includeContent() && response.getContent() != null) {
      respondAttrs.put("completion", response.getContent());
    }
    emit(
        id,
        new SessionOutput.SpanOut(
            Spans.span(
                p,
                "respond",
                p.getRootSpanId(),
                now,
                context.currentSystemTimeMs(),
                ok,
                respondAttrs)),
        now);
    Map<String, String> rootAttrs = new HashMap<>();
    rootAttrs.put("status", response.getStatus().name());
    rootAttrs.put("attempts", String.valueOf(response.getAttempts()));
    rootAttrs.put("latency_ms", String.valueOf(response.getLatencyMs()));
    rootAttrs.put("cache_hit", String.valueOf(hit != null));
    if (!ok && response.getError() != null) {
      rootAttrs.put("error_code", response.getError().getCode());
    }
    if (settings.includeContent()) {
      rootAttrs.put("prompt", lastUserText(r));
    }
    emit(
        id,
        new SessionOutput.SpanOut(
            Spans.span(
                p,
                p.getRootSpanId(),
                "request",
                p.getParentSpanId(),
                p.getCreatedAtMs(),
                now,
                ok,
                rootAttrs)),
        now);
    emit(r.getSessionId(), new SessionOutput.ResponseOut(response), now);
    metrics.response(
        r.getModel(),
        response.getProvider(),
        response.getStatus().name(),
        hit != null,
        response.getLatencyMs());

    String sid = r.getSessionId();
    if (ok && hit == null && p.getRound() == 0 && cacheable(r)) {
      emit(
          CacheKeys.of(r, conversation(sid, r), cache.perTenant()),
          new SessionOutput.CacheOut(response),
          now);
    }
    if (ok && r.getUseHistory()) {
      SessionState st = session(sid);
      if (st == null) {
        st = new SessionState(List.of(), new ArrayList<>(), 0L, now);
      }
      List<ChatMessage> turn = new ArrayList<>(r.getMessages());
      turn.add(assistantTurn(response.getContent(), response.getToolCalls()));
      History.Appended added =
          History.append(
              st.getHistory(),
              turn,
              settings.maxHistoryMessages(),
              bounds.limits().maxHistoryBytes());
      if (!added.kept()) {
        metrics.recordBounded("SessionState", "kept_out");
        log.debug(
            "the turn of {} is over sessions.max_history_bytes; kept out of the history of {}",
            id,
            sid);
      }
      st.setQueue(List.of());
      st.setTurns(st.getTurns() + 1);
      st.setUpdatedAtMs(now);
      sessions.put(sid, st);
    }
    if (p == unsaved) {
      unsaved = null; // answered before it was ever stored
    } else {
      pending.delete(id);
    }
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

  /** A provider.call span and a Usage record per provider call. */
  private void emitAttempts(PendingRequest p, List<Attempt> attempts, long now) {
    Request r = p.getRequest();
    String id = r.getRequestId();
    for (int i = 0; i < attempts.size(); i++) {
      Attempt at = attempts.get(i);
      Map<String, String> attrs = new HashMap<>();
      attrs.put("provider", at.getProvider());
      attrs.put("provider_model", at.getProviderModel());
      attrs.put("attempt", String.valueOf(i + 1));
      if (at.getHttpStatus() != null) {
        attrs.put("http_status", String.valueOf(at.getHttpStatus()));
      }
      if (at.getErrorCode() != null) {
        attrs.put("error_code", at.getErrorCode());
      }
      attrs.put("prompt_tokens", String.valueOf(at.getPromptTokens()));
      attrs.put("completion_tokens", String.valueOf(at.getCompletionTokens()));
      attrs.put("cost_usd", String.valueOf(at.getCostUsd()));
      attrs.put("model", r.getModel());
      emit(
          id,
          new SessionOutput.SpanOut(
              Spans.span(
                  p,
                  "provider.call",
                  p.getRootSpanId(),
                  at.getStartMs(),
                  at.getEndMs(),
                  at.getOk(),
                  attrs)),
          now);
      emit(
          r.getTenantId(),
          new SessionOutput.UsageOut(
              new Usage(
                  r.getTenantId(),
                  id,
                  at.getProvider(),
                  r.getModel(),
                  at.getProviderModel(),
                  at.getPromptTokens(),
                  at.getCompletionTokens(),
                  at.getCostUsd(),
                  false,
                  at.getEndMs())),
          now);
      metrics.tokens(
          r.getTenantId(),
          at.getProvider(),
          r.getModel(),
          at.getPromptTokens(),
          at.getCompletionTokens());
      metrics.cost(r.getTenantId(), r.getModel(), at.getCostUsd());
    }
  }

  /** Tokens of every round so far plus {@code last} (may be null). */
  private static TokenUsage totalUsage(PendingRequest p, TokenUsage last) {
    int prompt = p.getPriorPromptTokens() + (last == null ? 0 : last.getPromptTokens());
    int completion = p.getPriorCompletionTokens() + (last == null ? 0 : last.getCompletionTokens());
    return new TokenUsage(prompt, completion, prompt + completion);
  }

  private static ChatMessage assistantTurn(String content, List<ToolInvocation> toolCalls) {
    return new ChatMessage("assistant", content == null ? "" : content, null, null, toolCalls);
  }

  /** The conversation sent to the provider for the session's head. */
  private List<ChatMessage> conversation(String sid, Request r) {
    List<ChatMessage> messages = new ArrayList<>();
    if (r.getUseHistory()) {
      SessionState st = sessions.get(sid);
      if (st != null) {
        messages.addAll(st.getHistory());
      }
    }
    messages.addAll(r.getMessages());
    return messages;
  }

  /** Whether an answer to {@code r} may be written to and read from the cache. */
  private boolean cacheable(Request r) {
    return cache.enabled()
        && r.getCache() != CacheMode.BYPASS
        && (r.getCache() == CacheMode.ONLY || CacheKeys.deterministic(r));
  }

  /**
   * Looks the head up in the cache when it may be; answers it from there (true) or, for {@code
   * cache: ONLY}, with {@code cache_miss} (true); false when it must go to a provider.
   */
  private boolean answeredFromCache(PendingRequest p, List<ChatMessage> messages, long now) {
    Request r = p.getRequest();
    if (r.getCache() == CacheMode.ONLY && !cache.enabled()) {
      answer(
          p,
          Answer.failed(
              new ErrorInfo("cache_miss", "the response cache is disabled", false, null), 0),
          now);
      return true;
    }
    if (!cacheable(r)) {
      return false;
    }
    Response hit = cacheStore.get(CacheKeys.of(r, messages, cache.perTenant()));
    boolean fresh = hit != null && now - hit.getRespondedAt() <= cache.ttl().toMillis();
    metrics.cacheLookup(r.getModel(), fresh);
    emit(
        r.getRequestId(),
        new SessionOutput.SpanOut(
            Spans.span(
                p,
                "cache.lookup",
                p.getRootSpanId(),
                now,
                context.currentSystemTimeMs(),
                true,
                Map.of("cache_hit", String.valueOf(fresh)))),
        now);
    if (fresh) {
      answer(p, Answer.cached(hit), now);
      return true;
    }
    if (r.getCache() == CacheMode.ONLY) {
      answer(
          p,
          Answer.failed(
              new ErrorInfo(
                  "cache_miss", "no fresh cache entry for this request (cache: ONLY)", false, null),
              0),
          now);
      return true;
    }
    return false;
  }

  private static String lastUserText(Request r) {
    for (int i = r.getMessages().size() - 1; i >= 0; i--) {
      if (r.getMessages().get(i).getRole().equals("user")) {
        return r.getMessages().get(i).getContent();
      }
    }
    return "";
  }

  private ErrorInfo timeoutError(PendingRequest p) {
    long budget = p.getDeadlineMs() - p.getCreatedAtMs();
    return new ErrorInfo(
        "timeout", "no answer within " + budget + " ms of the request's creation", true, null);
  }

  /** The session from the store, with a history that can be changed in place (Avro's cannot). */
  private SessionState session(String sid) {
    SessionState st = sessions.get(sid);
    if (st != null) {
      st.setHistory(new ArrayList<>(st.getHistory()));
    }
    return st;
  }

  /** Forwards {@code out} once it has passed its size bound (or leaves it out). */
  private void emit(String key, SessionOutput out, long now) {
    SessionOutput checked = bounds.check(key, out);
    if (checked != null) {
      context.forward(new Record<>(key, checked, now));
    }
  }

  private void tick(long now) {
    while (!toolDeadlines.isEmpty() && toolDeadlines.peek().at() <= now) {
      Deadline d = toolDeadlines.poll();
      PendingRequest p = headOf(d.requestId());
      if (p == null
          || p.getAwaiting().isEmpty()
          || p.getToolDeadlineMs() == null
          || p.getToolDeadlineMs() > now) {
        continue;
      }
      Request r = p.getRequest();
      for (String callId : new ArrayList<>(p.getAwaiting())) {
        int i = p.getAwaiting().indexOf(callId);
        String name = i < p.getAwaitingNames().size() ? p.getAwaitingNames().get(i) : "";
        String why =
            "tool '" + name + "' did not answer within " + tools.timeout().toMillis() + " ms";
        emit(
            r.getSessionId(),
            new SessionOutput.ToolResultOut(
                new ToolResult(
                    r.getRequestId(), r.getSessionId(), callId, name, why, true, p.getRound())),
            now);
        applyToolResult(p, callId, why, true, now);
      }
      continueAfterTools(p, now);
    }
    while (!deadlines.isEmpty() && deadlines.peek().at() <= now) {
      Deadline d = deadlines.poll();
      // a queued request past its deadline is answered when it reaches the head, keeping order
      PendingRequest p = headOf(d.requestId());
      if (p != null && p.getDeadlineMs() <= now) { // not a repeat of an answered request
        answer(p, Answer.failed(timeoutError(p), p.getDispatches()), now);
        dispatchHead(p.getRequest().getSessionId(), now);
      }
    }
    // the orphan scan walks every call in flight: once a second is often enough
    if (now - lastOrphanScan >= 1000) {
      lastOrphanScan = now;
      scanOrphans(now);
    }
    retryUndispatched(now);
  }

  private void scanOrphans(long now) {
    for (Iterator<Map.Entry<String, Long>> it = dispatchedAt.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() >= settings.orphanAfter().toMillis()) {
        it.remove();
        String sid = sessionOf.get(e.getKey());
        if (sid != null) {
          log.info(
              "no completion of {} after {}; dispatching it again",
              e.getKey(),
              settings.orphanAfter());
          undispatched.add(sid);
        }
      }
    }
  }

  private void retryUndispatched(long now) {
    if (!undispatched.isEmpty()) {
      for (String sid : new ArrayList<>(undispatched)) {
        ArrayDeque<String> queue = queues.get(sid);
        if (queue == null || dispatchedAt.containsKey(queue.peekFirst())) {
          undispatched.remove(sid);
          continue;
        }
        dispatchHead(sid, now);
        if (undispatched.contains(sid)) {
          break; // the dispatcher is full; try again next tick
        }
      }
    }
  }

  private void expireIdleSessions(long now) {
    List<String> idle = idleSweep.next(sessions, now);
    idle.forEach(sessions::delete);
    if (!idle.isEmpty()) {
      log.debug("task {}: forgot {} idle session(s)", context.taskId(), idle.size());
    }
  }
}
