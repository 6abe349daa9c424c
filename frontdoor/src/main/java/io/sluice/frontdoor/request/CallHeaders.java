package io.sluice.frontdoor.request;

/** The request headers the front door reads, by name (lower case, as HTTP/2 sends them). */
public final class CallHeaders {
  private CallHeaders() {}

  public static final String IDEMPOTENCY_KEY = "idempotency-key";
  public static final String SESSION_ID = "x-sluice-session-id";
  public static final String PRIORITY = "x-sluice-priority";
  public static final String CACHE = "x-sluice-cache";
  public static final String TIMEOUT_MS = "x-sluice-timeout-ms";
  public static final String META_PREFIX = "x-sluice-meta-";
  public static final String TRACEPARENT = "traceparent";
  public static final String PREFER = "prefer";
}
