package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.Usage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.metrics.GatewayMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The answer: turns a request's {@link Outcome} into every record it produces, in this order —
 *
 * <ol>
 *   <li>per provider call of the last round, a {@code provider.call} span (traces, keyed by
 *       request_id) and a {@code Usage} (usage, keyed by tenant_id); for a cache hit one {@code
 *       Usage} with zero tokens;
 *   <li>the {@code respond} span and the root {@code request} span;
 *   <li>the {@code Response} (responses, keyed by session_id), bounded to {@code
 *       kafka.max_record_bytes} by {@link OutputBounds#response} ({@code response_too_large}), and
 *       the same to the request's reply address when its record named one; with an idempotency
 *       window, the Response is kept as the request's answer ({@link Idempotency#remember});
 *   <li>for a cacheable first-round answer from a provider, the cache entry ({@link
 *       ResponseCache#write});
 *   <li>for a request that uses history, the session with the new turn ({@link
 *       Conversation#addTurn}).
 * </ol>
 *
 * With {@code tracing.spans: root} the stage spans (provider.call, respond) are attributes of the
 * root span instead ({@link Tracer}). Every other record passes {@link OutputBounds#check} when the
 * processor forwards it (the Response is bounded once, here). Removing the request from its queue
 * and the {@code pending} store is the state machine's part.
 */
final class Answers {
  private final SessionSettings settings;
  private final OutputBounds bounds;
  private final GatewayMetrics metrics;
  private final ResponseCache cache;
  private final Conversation conversation;
  private final Idempotency repeats;
  private final LongSupplier clock;
  private final Tracer tracer;

  Answers(
      SessionSettings settings,
      OutputBounds bounds,
      GatewayMetrics metrics,
      ResponseCache cache,
      Conversation conversation,
      Idempotency repeats,
      LongSupplier clock,
      Tracer tracer) {
    this.settings = settings;
    this.bounds = bounds;
    this.metrics = metrics;
    this.cache = cache;
    this.conversation = conversation;
    this.repeats = repeats;
    this.clock = clock;
    this.tracer = tracer;
  }

  /** Decides the records that answer {@code p} with {@code a}. */
  void answer(PendingRequest p, Outcome a, long now, Decisions d) {
    Request r = p.getRequest();
    String id = r.getRequestId();
    Completion c = a.completion();
    Response hit = a.cached();
    Response response = bounds.response(response(p, a, now));
    boolean ok = response.getStatus() == ResponseStatus.OK;
    if (c != null) {
      attempts(p, c, d);
    }
    if (hit != null) {
      d.emit(
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
                  now)));
    }
    Map<String, String> respondAttrs = new HashMap<>();
    respondAttrs.put("status", response.getStatus().name());
    if (settings.includeContent() && response.getContent() != null) {
      respondAttrs.put("completion", response.getContent());
    }
    tracer.stage(p, "respond", now, clock.getAsLong(), ok, respondAttrs, d);
    Map<String, String> rootAttrs = new HashMap<>();
    rootAttrs.put("status", response.getStatus().name());
    rootAttrs.put("attempts", String.valueOf(response.getAttempts()));
    rootAttrs.put("latency_ms", String.valueOf(response.getLatencyMs()));
    rootAttrs.put("cache_hit", String.valueOf(hit != null));
    if (a.sharedCallOf() != null) {
      rootAttrs.put("shared_call_of", a.sharedCallOf());
    }
    if (a.semantic() != null) {
      rootAttrs.put("cache_semantic_similarity", String.valueOf(a.semantic().getSimilarity()));
    }
    if (!ok && response.getError() != null) {
      rootAttrs.put("error_code", response.getError().getCode());
    }
    if (settings.includeContent()) {
      rootAttrs.put("prompt", lastUserText(r));
    }
    d.emit(
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
                tracer.root(p, rootAttrs))));
    d.emit(r.getSessionId(), new SessionOutput.ResponseOut(response));
    ReplyAddress reply = ReplyAddress.of(p);
    if (reply != null) {
      d.emit(r.getSessionId(), SessionOutput.ReplyOut.to(reply, response));
    }
    repeats.remember(response, now, d);
    d.emit(tenantKey(r.getTenantId()), new SessionOutput.ReleaseOut(id));
    metrics.response(
        r.getModel(),
        response.getProvider(),
        response.getStatus().name(),
        hit != null,
        response.getLatencyMs());
    if (a.sharedCallOf() == null) { // a shared call's answer is cached once, by its leader
      cache.write(p, response, d);
    }
    if (ok && r.getUseHistory()) {
      conversation.addTurn(r, response, now, d);
    }
  }

  /** The key of a release: the tenant id, "" for none (admission keys requests the same way). */
  static String tenantKey(String tenant) {
    return tenant == null ? "" : tenant;
  }

  /** The Response before its size bound: usage, cost and attempts summed over every round. */
  private static Response response(PendingRequest p, Outcome a, long now) {
    Request r = p.getRequest();
    Completion c = a.completion();
    Response hit = a.cached();
    Response.Builder b =
        Response.newBuilder()
            .setRequestId(r.getRequestId())
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
            .setRespondedAt(now)
            .setProviderMs(c == null ? 0 : providerMs(c.getAttempts()))
            .setSharedCallOf(a.sharedCallOf());
    if (hit != null) {
      b.setProviderModel(hit.getProviderModel())
          .setContent(hit.getContent())
          .setToolCalls(hit.getToolCalls())
          .setFinishReason(hit.getFinishReason())
          .setSemantic(a.semantic());
    } else if (a.ok()) {
      b.setProvider(c.getProvider())
          .setProviderModel(c.getProviderModel())
          .setContent(c.getContent())
          .setToolCalls(c.getToolCalls())
          .setFinishReason(c.getFinishReason())
          .setUsage(totalUsage(p, c.getUsage()));
    } else if (c != null) {
      b.setUsage(totalUsage(p, c.getUsage()));
      if (Outcome.interrupted(c)) {
        b.setContent(c.getContent()); // what the caller has seen of the answer
      }
    }
    return b.build();
  }

  /** Time spent in provider calls: the sum of the attempts' durations. */
  private static long providerMs(List<Attempt> attempts) {
    long sum = 0;
    for (Attempt at : attempts) {
      sum += Math.max(0, at.getEndMs() - at.getStartMs());
    }
    return sum;
  }

  /**
   * A provider.call span and a Usage record per provider call of {@code c}; the last call's span
   * has {@code ttft_ms} when the answer streamed (only the last call can have streamed: once the
   * first chunk has gone out there is no retry).
   */
  void attempts(PendingRequest p, Completion c, Decisions d) {
    attempts(p, c.getAttempts(), c.getFirstTokenMs(), d);
  }

  private void attempts(PendingRequest p, List<Attempt> attempts, Long firstTokenMs, Decisions d) {
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
      if (firstTokenMs != null && i == attempts.size() - 1) {
        attrs.put("ttft_ms", String.valueOf(Math.max(0, firstTokenMs - at.getStartMs())));
      }
      tracer.stage(p, "provider.call", at.getStartMs(), at.getEndMs(), at.getOk(), attrs, d);
      d.emit(
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
                  at.getEndMs())));
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

  private static String lastUserText(Request r) {
    for (int i = r.getMessages().size() - 1; i >= 0; i--) {
      if (r.getMessages().get(i).getRole().equals("user")) {
        return r.getMessages().get(i).getContent();
      }
    }
    return "";
  }
}
