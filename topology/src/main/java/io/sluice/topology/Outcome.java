package io.sluice.topology;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Response;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;

/**
 * What a request is answered with: a completion, an error, or a cache hit. {@code attempts} counts
 * the provider calls of the last round (the earlier rounds' are in the pending request).
 */
record Outcome(boolean ok, Completion completion, Response cached, ErrorInfo error, int attempts) {
  static Outcome of(Completion c) {
    return new Outcome(c.getOk(), c, null, c.getError(), c.getAttempts().size());
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
            "timeout", "no answer within " + budget + " ms of the request's creation", true, null),
        p.getDispatches());
  }
}
