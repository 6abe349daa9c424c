package io.sluice.provider;

import java.time.Duration;

/**
 * Why a provider call failed, classified for the router.
 *
 * @param kind what may be done about it
 * @param code a stable error code for responses and spans ({@code timeout}, {@code rate_limited},
 *     {@code provider_error}, {@code provider_unavailable}, {@code context_length_exceeded}, {@code
 *     invalid_request}, {@code auth_failed}, {@code not_found})
 * @param message human-readable, naming the provider and status; never a key or a prompt
 * @param httpStatus the HTTP status, or null when none came
 * @param retryAfter how long the provider asked to wait (Retry-After, retry-after-ms), or null
 */
public record ProviderFailure(
    Kind kind, String code, String message, Integer httpStatus, Duration retryAfter) {

  /** What may be done about a failure. */
  public enum Kind {
    /** Timeouts, connection errors, 429, 5xx, overload: retry, then fall back. */
    RETRIABLE,
    /** The prompt does not fit the model: fall back at once to a larger one. */
    CONTEXT_WINDOW,
    /** 400, 401, 403, 404: the same call will fail again. */
    TERMINAL
  }

  public boolean retryable() {
    return kind == Kind.RETRIABLE;
  }
}
