package io.sluice.topology;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Response;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;

/**
 * What a request is answered with: a completion, an error, or a cache hit. {@code attempts} counts
 * the provider calls of the last round (the earlier rounds' are in the pending request); {@code
 * sharedCallOf} names the request whose call the completion was (single-flight), or is null.
 */
record Outcome(
    boolean ok,
    Completion completion,
    Response cached,
    ErrorInfo error,
    int attempts,
    String sharedCallOf) {
  Outcome(boolean ok, Completion completion, Response cached, ErrorInfo error, int attempts) {
    this(ok, completion, cached, error, attempts, null);
  }

  /** This outcome as the answer of another request's provider call ({@code null}: its own). */
  Outcome sharedWith(String requestId) {
    return new Outcome(ok, completion, cached, error, attempts, requestId);
  }

  static Outcome of(Completion c) {
    ErrorInfo error = c.getError();
    if (interrupted(c)) {
      error = streamInterrupted(c);
    }
    return new Outcome(c.getOk(), c, null, error, c.getAttempts().size());
  }

  /**
   * Whether {@code c} failed after chunks of its answer had gone out: no retry or fallback was
   * possible, and the partial content is the answer's.
   */
  static boolean interrupted(Completion c) {
    return !c.getOk() && c.getStreamedChunks() > 0;
  }

  /** {@code stream_interrupted}, not retryable: the caller has seen part of an answer. */
  private static ErrorInfo streamInterrupted(Completion c) {
    ErrorInfo cause = c.getError();
    String why = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new ErrorInfo(
        "stream_interrupted",
        "the provider's stream broke after " + c.getStreamedChunks() + " chunk(s)" + why,
        false,
        cause == null ? null : cause.getHttpStatus(),
        null);
  }

  static Outcome failed(ErrorInfo e, int attempts) {
    return new Outcome(false, null, null, e, attempts);
  }

  static Outcome cached(Response hit) {
    return new Outcome(true, null, hit, null, 0);
  }

  /** The request's deadline passed before an answer. */
  static Outcome timedOut(PendingRequest p) {
    long budget = p.getDeadlineMs() - p.getCreatedAtMs();
    return failed(
        new ErrorInfo(
            "timeout",
            "no answer within " + budget + " ms of the request's creation",
            true,
            null,
            null),
        p.getDispatches());
  }
}
