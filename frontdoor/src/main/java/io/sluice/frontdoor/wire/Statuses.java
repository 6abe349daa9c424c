package io.sluice.frontdoor.wire;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP status of a {@code REJECTED} or {@code ERROR} response, from its error code (the codes
 * of the gateway's validator, dispatcher, provider failures and bounds): 400 invalid request
 * (naming the field), 401 unknown tenant, 403 model not allowed, 404 unknown model, 413 request too
 * large, 429 rate limit or budget, 502 provider error, 504 deadline passed; a code it does not know
 * is 400 when refused and 502 (retryable) or 500 when failed.
 */
public final class Statuses {
  /** The {@code Retry-After} of a rate limit whose provider named no wait. */
  static final long DEFAULT_RETRY_AFTER_S = 1;

  /** The field an {@code invalid_request} message starts with: {@code messages[0].role ...}. */
  private static final Pattern FIELD =
      Pattern.compile("^(params\\.)?(([a-z_]+)(\\[\\d+\\])?(\\.[a-z_]+(\\[\\d+\\])?)*) ");

  /** The fields of a request a client sets (in the body or a header). */
  private static final Set<String> FIELDS =
      Set.of(
          "model",
          "messages",
          "tools",
          "temperature",
          "top_p",
          "max_tokens",
          "stop",
          "seed",
          "extra",
          "priority",
          "timeout_ms",
          "request_id",
          "session_id",
          "tenant_id",
          "metadata");

  private Statuses() {}

  /** The error a client gets for {@code r}, whose status is not {@code OK}. */
  public static WireError of(Response r) {
    ErrorInfo e = r.getError();
    boolean refused = r.getStatus() == ResponseStatus.REJECTED;
    if (e == null) {
      return new WireError(
          refused ? 400 : 502,
          refused ? "invalid_request" : "provider_error",
          refused ? "the request was refused" : "the request failed",
          null,
          null);
    }
    String code = e.getCode();
    String message = e.getMessage();
    return switch (code) {
      case "invalid_request" -> new WireError(400, code, message, field(message), null);
      case "context_length_exceeded" -> new WireError(400, code, message, "messages", null);
      case "unknown_tenant", "unauthorized", "invalid_key" ->
          new WireError(401, code, message, null, null);
      case "model_not_allowed" -> new WireError(403, code, message, "model", null);
      case "unknown_model" -> new WireError(404, code, message, "model", null);
      case "cache_miss" -> new WireError(404, code, message, null, null);
      case "request_too_large" -> new WireError(413, code, message, null, null);
      case "rate_limited" -> new WireError(429, code, message, null, DEFAULT_RETRY_AFTER_S);
      case "budget_exceeded" -> new WireError(429, code, message, null, null);
      case "timeout" -> new WireError(504, code, message, null, null);
      case "internal_error" -> new WireError(500, code, message, null, null);
      case "provider_error",
          "provider_unavailable",
          "circuit_open",
          "stream_interrupted",
          "auth_failed",
          "not_found",
          "unknown_provider",
          "response_too_large",
          "tool_rounds_exceeded" ->
          new WireError(502, code, message, null, null);
      default ->
          new WireError(refused ? 400 : e.getRetryable() ? 502 : 500, code, message, null, null);
    };
  }

  /**
   * The field an {@code invalid_request} message names first, as the client knows it ({@code
   * params.temperature} is the body's {@code temperature}); null when it names none.
   */
  static String field(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = FIELD.matcher(message);
    return m.find() && FIELDS.contains(m.group(3)) ? m.group(2) : null;
  }
}
