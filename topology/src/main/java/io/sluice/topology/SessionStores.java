package io.sluice.topology;

import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;

/**
 * The reads the session state machine needs from its task's stores, and nothing else: the processor
 * implements it over the {@code pending}, {@code sessions} and cache stores, a test over maps.
 * Every write goes the other way, as {@link Decisions} the processor carries out.
 *
 * <p>On the hot path these are the only reads: a head that is not in memory yet (a request queued
 * behind another, read once when it becomes the head), the history of a session that uses it, and
 * the cache entry of a cacheable request, and with an idempotency window, one {@code answered}
 * lookup per request admitted.
 */
interface SessionStores {
  /** The pending request {@code requestId}, or null. */
  PendingRequest pending(String requestId);

  /** The session {@code sessionId} as stored, a fresh copy the caller may change, or null. */
  SessionState session(String sessionId);

  /** The cache entry under {@code key}, or null (only called when the cache is enabled). */
  Response cached(String key);

  /**
   * The first answer to {@code requestId} stored at {@code sinceMs} or later, or null (only called
   * when the idempotency window is on; a store without the {@code answered} store has none).
   */
  default Response answered(String requestId, long sinceMs) {
    return null;
  }
}
