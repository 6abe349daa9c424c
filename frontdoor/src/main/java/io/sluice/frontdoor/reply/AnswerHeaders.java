package io.sluice.frontdoor.reply;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.events.Response;

/**
 * The {@code x-request-id} and {@code x-sluice-*} headers of an answer, from its {@code Response}.
 * {@code x-sluice-overhead-ms} is the time spent in Sluice: {@code latency_ms - provider_ms}.
 */
public final class AnswerHeaders {
  private AnswerHeaders() {}

  public static final String REQUEST_ID = "x-request-id";
  public static final String TRACE_ID = "x-sluice-trace-id";
  public static final String PROVIDER = "x-sluice-provider";
  public static final String CACHE_HIT = "x-sluice-cache-hit";
  public static final String ATTEMPTS = "x-sluice-attempts";
  public static final String OVERHEAD_MS = "x-sluice-overhead-ms";

  /** On a semantic cache hit: the similarity of the two last user turns, 0 to 1. */
  public static final String CACHE_SIMILARITY = "x-sluice-cache-similarity";

  /** On a semantic cache hit: the request whose cached answer was served. */
  public static final String CACHE_MATCHED = "x-sluice-cache-matched-request-id";

  /** Time spent in Sluice, not at the provider; never negative. */
  public static long overheadMs(Response r) {
    return Math.max(0, r.getLatencyMs() - r.getProviderMs());
  }

  /** Sets the headers of {@code r} on {@code h}. */
  public static void set(HttpHeaders h, Response r) {
    if (r.getRequestId() != null) {
      h.set(REQUEST_ID, r.getRequestId());
    }
    if (r.getTraceId() != null) {
      h.set(TRACE_ID, r.getTraceId());
    }
    if (r.getProvider() != null) {
      h.set(PROVIDER, r.getProvider());
    }
    h.set(CACHE_HIT, String.valueOf(r.getCacheHit()));
    if (r.getSemantic() != null) {
      h.set(
          CACHE_SIMILARITY,
          String.format(java.util.Locale.ROOT, "%.4f", r.getSemantic().getSimilarity()));
      if (r.getSemantic().getMatchedRequestId() != null) {
        h.set(CACHE_MATCHED, r.getSemantic().getMatchedRequestId());
      }
    }
    h.set(ATTEMPTS, String.valueOf(r.getAttempts()));
    h.set(OVERHEAD_MS, String.valueOf(overheadMs(r)));
  }
}
