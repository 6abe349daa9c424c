package io.sluice.admission;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import java.util.List;

/**
 * Why a request is refused: the limit ({@code rpm}, {@code tpm}, {@code max_parallel}, {@code
 * budget}), whose it is ({@code tenant} or {@code key}), and when to try again (null: never, as
 * long as the limit stays).
 */
record Refusal(String limit, String scope, String message, Long retryAfterMs) {
  static final String RATE_LIMITED = "rate_limited";
  static final String BUDGET_EXCEEDED = "budget_exceeded";

  String code() {
    return limit.equals("budget") ? BUDGET_EXCEEDED : RATE_LIMITED;
  }

  /** The REJECTED response to {@code r} (its trace id is set from the record's headers later). */
  Response response(Request r, long nowMs) {
    return Response.newBuilder()
        .setRequestId(r.getRequestId())
        .setSessionId(r.getSessionId())
        .setTenantId(r.getTenantId())
        .setStatus(ResponseStatus.REJECTED)
        .setModel(r.getModel())
        .setToolCalls(List.of())
        .setUsage(new TokenUsage(0, 0, 0))
        .setError(new ErrorInfo(code(), message, retryAfterMs != null, null, retryAfterMs))
        .setLatencyMs(
            r.getCreatedAt() == null ? 0 : Math.max(0, nowMs - r.getCreatedAt().toEpochMilli()))
        .setRespondedAt(nowMs)
        .build();
  }
}
