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
 * <p>Threading: only the stream thread calls {@code init}, {@code process} and the punctuators;
 * every field, both stores and the context are confined to it. The dispatcher is handed immutable
 * jobs and never calls back into this class: outcomes return through the completions topic.
 *
 * <p>What is in memory is rebuilt from the stores in {@code init}: after a restart or a rebalance
 * no call is known to be in flight, so every head is dispatched again on the first tick. A repeated
 * provider call can happen; a repeated answer cannot, because only the first completion of a
 * pending request is used.
 */
final class SessionProcessor implements Processor<String, SessionInput, String, SessionOutput> {
  private static final Logger log = LoggerFactory.getLogger(SessionProcessor.class);

  private final Dispatcher dispatcher;
  private final SessionSettings settings;
  private final CacheSettings cache;
  private final GatewayMetrics metrics;
  private final ToolSettings tools;
  private KeyValueStore<String, Response> cacheStore;
  private ProcessorContext<String, SessionOutput> context;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;
  private int partition;

  /** request_id to when this task dispatched it; absent means no call is known in flight. */
  private final Map<String, Long> dispatchedAt = new HashMap<>();

  /** Sessions whose head waits for a dispatch (refused for lack of room, or orphaned). */
  private final Set<String> undispatched = new LinkedHashSet<>();

  /** Deadlines of pending requests; stale entries are skipped when polled. */
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();

  private long lastOrphanScan;

  /**
   * The request that {@link #onRequest} is handing straight to {@link #dispatchHead} before it is
   * in the {@code pending} store: it is stored when it is dispatched, and a request answered at
   * once (a cache hit, a passed deadline) never touches the store. Saves one serialization and one
   * deserialization per request, and a changelog tombstone per cache hit.
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
      GatewayMetrics metrics) {
    this.tools = tools;
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
    try (KeyValueIterator<String, PendingRequest> it = pending.all()) {
      it.forEachRemaining(
          kv -> {
            deadlines.add(new Deadline(kv.value.getDeadlineMs(), kv.key));
            if (!kv.value.getAwaiting().isEmpty() && kv.value.getToolDeadlineMs() != null) {
              toolDeadlines.add(new Deadline(kv.value.getToolDeadlineMs(), kv.key));
            }
          });
    }
    try (KeyValueIterator<String, SessionState> it = sessions.all()) {
      it.forEachRemaining(
          kv -> {
            if (!kv.value.getQueue().isEmpty()) {
              undispatched.add(kv.key);
            }
          });
    }
    if (!undispatched.isEmpty()) {
      log.info(
          "task {}: {} session(s) with pending requests to dispatch again",
          context.taskId(),
          undispatched.size());
    }
    context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    context.schedule(
        java.time.Duration.ofSeconds(60),
        PunctuationType.WALL_CLOCK_TIME,
        this::expireIdleSessions);
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
    if (pending.get(id) != null) {
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
            .build();
    String sid = request.getSessionId();
    SessionState st = session(sid);
    if (st == null) {
      st = new SessionState(new ArrayList<>(), new ArrayList<>(), 0L, now);
    }
    st.getQueue().add(id);
    st.setUpdatedAtMs(now);
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
                    String.valueOf(st.getQueue().size() - 1),
                    "use_history",
                    String.valueOf(request.getUseHistory())))),
        now);
    if (st.getQueue().size() == 1) {
      unsaved = p;
      try {
        dispatchHead(sid, st, now);
      } finally {
        unsaved = null;
      }
    } else {
      pending.put(id, p);
    }
    sessions.put(sid, st);
  }

  /**
   * Dispatches the session's head, first answering heads whose deadline has passed. The caller
   * writes the session back.
   */
  private void dispatchHead(String sid, SessionState st, long now) {
    while (!st.getQueue().isEmpty()) {
      String head = st.getQueue().get(0);
      PendingRequest p =
          unsaved != null && unsaved.getRequest().getRequestId().equals(head)
              ? unsaved
              : pending.get(head);
      if (p == null) {
        st.getQueue().remove(0);
        continue;
      }
      if (now >= p.getDeadlineMs()) {
        answer(st, p, Answer.failed(timeoutError(p), p.getDispatches()), now);
        continue;
      }
      if (!p.getAwaiting().isEmpty()) {
        undispatched.remove(sid);
        return; // parked until the round's tool results are in
      }
      Request r = p.getRequest();
      List<ChatMessage> messages = conversation(st, r);
      if (p.getRound() == 0 && answeredFromCache(st, p, messages, now)) {
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
    PendingRequest p = pending.get(c.getRequestId());
    if (p == null) {
      log.debug(
          "completion of {} (dispatch {}) arrived after its answer; dropped",
          c.getRequestId(),
          c.getDispatch());
      return;
    }
    String sid = p.getRequest().getSessionId();
    SessionState st = session(sid);
    if (st == null || st.getQueue().isEmpty() || !st.getQueue().get(0).equals(c.getRequestId())) {
      log.warn(
          "completion of {} is not for the head of session {}; dropped", c.getRequestId(), sid);
      return;
    }
    if (!p.getAwaiting().isEmpty() || c.getDispatch() <= p.getRoundDispatch()) {
      log.debug(
          "completion of {} (dispatch {}) is stale; dropped", c.getRequestId(), c.getDispatch());
      return;
    }
    long now = context.currentSystemTimeMs();
    Request r = p.getRequest();
    if (c.getOk() && !c.getToolCalls().isEmpty() && tools.enabled() && !r.getTools().isEmpty()) {
      if (p.getRound() < tools.maxRounds()) {
        startToolRound(p, c, now);
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
      answer(st, p, new Answer(false, c, null, tooMany, c.getAttempts().size()), now);
    } else {
      answer(st, p, Answer.of(c), now);
    }
    dispatchHead(sid, st, now);
    sessions.put(sid, st);
  }

  /**
   * The model asked for tools: records this round's calls, emits one ToolCall each and parks the
   * request (its session waits) until every result is in or the round times out.
   */
  private void startToolRound(PendingRequest p, Completion c, long now) {
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
  }

  private void onToolResult(ToolResult result) {
    PendingRequest p = pending.get(result.getRequestId());
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
    toolMessages.add(new ChatMessage("tool", content, callId, name, List.of()));
    inCallOrder(toolMessages);
    p.setAwaiting(awaiting);
    p.setAwaitingNames(names);
    p.setToolMessages(toolMessages);
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
    String sid = p.getRequest().getSessionId();
    SessionState st = session(sid);
    if (st != null
        && !st.getQueue().isEmpty()
        && st.getQueue().get(0).equals(p.getRequest().getRequestId())) {
      dispatchHead(sid, st, now);
      sessions.put(sid, st);
    }
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
   * Answers the session's head and removes it. The caller dispatches the next head and writes the
   * session back.
   */
  private void answer(SessionState st, PendingRequest p, Answer a, long now) {
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
    Response response = b.build();
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
                a.ok(),
                respondAttrs)),
        now);
    Map<String, String> rootAttrs = new HashMap<>();
    rootAttrs.put("status", response.getStatus().name());
    rootAttrs.put("attempts", String.valueOf(response.getAttempts()));
    rootAttrs.put("latency_ms", String.valueOf(response.getLatencyMs()));
    rootAttrs.put("cache_hit", String.valueOf(hit != null));
    if (!a.ok() && a.error() != null) {
      rootAttrs.put("error_code", a.error().getCode());
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
                a.ok(),
                rootAttrs)),
        now);
    emit(r.getSessionId(), new SessionOutput.ResponseOut(response), now);
    metrics.response(
        r.getModel(),
        response.getProvider(),
        response.getStatus().name(),
        hit != null,
        response.getLatencyMs());

    List<ChatMessage> sent = conversation(st, r);
    if (a.ok() && hit == null && p.getRound() == 0 && cacheable(r)) {
      emit(CacheKeys.of(r, sent, cache.perTenant()), new SessionOutput.CacheOut(response), now);
    }
    if (a.ok() && r.getUseHistory()) {
      List<ChatMessage> history = st.getHistory();
      history.addAll(r.getMessages());
      history.add(assistantTurn(response.getContent(), response.getToolCalls()));
      trim(history);
    }
    if (p == unsaved) {
      unsaved = null; // answered before it was ever stored
    } else {
      pending.delete(id);
    }
    dispatchedAt.remove(id);
    st.getQueue().remove(id);
    st.setTurns(st.getTurns() + 1);
    st.setUpdatedAtMs(now);
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
  private static List<ChatMessage> conversation(SessionState st, Request r) {
    List<ChatMessage> messages = new ArrayList<>();
    if (r.getUseHistory()) {
      messages.addAll(st.getHistory());
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
  private boolean answeredFromCache(
      SessionState st, PendingRequest p, List<ChatMessage> messages, long now) {
    Request r = p.getRequest();
    if (r.getCache() == CacheMode.ONLY && !cache.enabled()) {
      answer(
          st,
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
      answer(st, p, Answer.cached(hit), now);
      return true;
    }
    if (r.getCache() == CacheMode.ONLY) {
      answer(
          st,
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

  /** Keeps every system message and the last {@code maxHistoryMessages} others. */
  private void trim(List<ChatMessage> history) {
    long others = history.stream().filter(m -> !m.getRole().equals("system")).count();
    long drop = others - settings.maxHistoryMessages();
    for (Iterator<ChatMessage> it = history.iterator(); it.hasNext() && drop > 0; ) {
      if (!it.next().getRole().equals("system")) {
        it.remove();
        drop--;
      }
    }
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

  /** The session from the store, with lists that can be changed in place (Avro's cannot). */
  private SessionState session(String sid) {
    SessionState st = sessions.get(sid);
    if (st != null) {
      st.setQueue(new ArrayList<>(st.getQueue()));
      st.setHistory(new ArrayList<>(st.getHistory()));
    }
    return st;
  }

  private void emit(String key, SessionOutput out, long now) {
    context.forward(new Record<>(key, out, now));
  }

  private void tick(long now) {
    while (!toolDeadlines.isEmpty() && toolDeadlines.peek().at() <= now) {
      Deadline d = toolDeadlines.poll();
      PendingRequest p = pending.get(d.requestId());
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
      PendingRequest p = pending.get(d.requestId());
      if (p == null) {
        continue;
      }
      String sid = p.getRequest().getSessionId();
      SessionState st = session(sid);
      if (st == null || st.getQueue().isEmpty()) {
        pending.delete(d.requestId());
        continue;
      }
      if (st.getQueue().get(0).equals(d.requestId())) {
        answer(st, p, Answer.failed(timeoutError(p), p.getDispatches()), now);
        dispatchHead(sid, st, now);
        sessions.put(sid, st);
      }
      // a queued request past its deadline is answered when it reaches the head, keeping order
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
        PendingRequest p = pending.get(e.getKey());
        if (p != null) {
          log.info(
              "no completion of {} after {}; dispatching it again",
              e.getKey(),
              settings.orphanAfter());
          undispatched.add(p.getRequest().getSessionId());
        }
      }
    }
  }

  private void retryUndispatched(long now) {
    if (!undispatched.isEmpty()) {
      for (String sid : new ArrayList<>(undispatched)) {
        SessionState st = session(sid);
        if (st == null) {
          undispatched.remove(sid);
          continue;
        }
        if (!st.getQueue().isEmpty() && dispatchedAt.containsKey(st.getQueue().get(0))) {
          undispatched.remove(sid);
          continue;
        }
        dispatchHead(sid, st, now);
        sessions.put(sid, st);
        if (undispatched.contains(sid)) {
          break; // the dispatcher is full; try again next tick
        }
      }
    }
  }

  private void expireIdleSessions(long now) {
    List<String> idle = new ArrayList<>();
    try (KeyValueIterator<String, SessionState> it = sessions.all()) {
      while (it.hasNext()) {
        KeyValue<String, SessionState> kv = it.next();
        if (kv.value.getQueue().isEmpty()
            && now - kv.value.getUpdatedAtMs() > settings.idleTtl().toMillis()) {
          idle.add(kv.key);
        }
      }
    }
    idle.forEach(sessions::delete);
    if (!idle.isEmpty()) {
      log.debug("task {}: forgot {} idle session(s)", context.taskId(), idle.size());
    }
  }
}
