package io.sluice.frontdoor.reply;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Response;
import io.sluice.frontdoor.wire.WireError;

/**
 * The HTTP status of a {@code Response} that is not OK, from its error code (the contract's
 * statuses): 400 invalid request, 403 model not allowed, 404 unknown model, 429 rate limit or
 * budget (with Retry-After), 502 provider error, 504 deadline passed.
 */
public final class ErrorStatus {
  private ErrorStatus() {}

  /** The {@link WireError} to answer for a failed or refused {@code r}. */
  public static WireError of(Response r) {
    ErrorInfo e = r.getError();
    String code = e == null ? "internal_error" : e.getCode();
    String message = e == null ? "the request failed (" + r.getStatus() + ")" : e.getMessage();
    int status = status(code, e == null ? null : e.getHttpStatus());
    Long retryAfter = status == 429 || status == 503 ? 1L : null;
    return new WireError(status, code, message, null, retryAfter);
  }

  static int status(String code, Integer providerStatus) {
    switch (code) {
      case "invalid_request":
      case "request_too_large":
      case "context_length_exceeded":
        return 400;
      case "auth_failed":
        return 502;
      case "unknown_tenant":
      case "model_not_allowed":
        return 403;
      case "unknown_model":
      case "unknown_provider":
      case "not_found":
        return 404;
      case "rate_limited":
      case "budget_exceeded":
      case "tenant_rate_limited":
        return 429;
      case "timeout":
        return 504;
      case "cache_miss":
        return 404;
      case "circuit_open":
      case "provider_unavailable":
      case "overloaded":
        return 503;
      case "provider_error":
      case "response_too_large":
      case "stream_interrupted":
        return 502;
      default:
        return providerStatus != null && providerStatus == 429 ? 429 : 502;
    }
  }
}
