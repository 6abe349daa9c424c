package io.sluice.topology;

import java.time.Duration;

/**
 * The session processor's knobs.
 *
 * @param maxHistoryMessages non-system messages kept per session (system messages are kept too)
 * @param defaultTimeout deadline of a request without {@code timeout_ms}, from its created_at
 * @param idleTtl sessions with nothing queued and no activity for this long are forgotten
 * @param orphanAfter a dispatch with no completion for this long is dispatched again
 * @param tick how often deadlines, orphans and refused dispatches are checked
 * @param includeContent whether spans may carry prompt and completion text
 * @param idempotencyWindow a repeat of a request answered this long ago or less is answered with
 *     the first answer; zero: no window (a repeat is ignored only while the first is pending)
 * @param spans which spans are written ({@code tracing.spans}): every stage's, or only the root
 *     request span carrying the stages as attributes ({@link Tracer})
 */
public record SessionSettings(
    int maxHistoryMessages,
    Duration defaultTimeout,
    Duration idleTtl,
    Duration orphanAfter,
    Duration tick,
    boolean includeContent,
    Duration idempotencyWindow,
    Tracer.Level spans) {

  /** Settings that write every span. */
  public SessionSettings(
      int maxHistoryMessages,
      Duration defaultTimeout,
      Duration idleTtl,
      Duration orphanAfter,
      Duration tick,
      boolean includeContent,
      Duration idempotencyWindow) {
    this(
        maxHistoryMessages,
        defaultTimeout,
        idleTtl,
        orphanAfter,
        tick,
        includeContent,
        idempotencyWindow,
        Tracer.Level.ALL);
  }

  /** Settings without an idempotency window. */
  public SessionSettings(
      int maxHistoryMessages,
      Duration defaultTimeout,
      Duration idleTtl,
      Duration orphanAfter,
      Duration tick,
      boolean includeContent) {
    this(
        maxHistoryMessages,
        defaultTimeout,
        idleTtl,
        orphanAfter,
        tick,
        includeContent,
        Duration.ZERO);
  }

  /** Whether answered requests are kept for a window. */
  public boolean idempotent() {
    return idempotencyWindow.compareTo(Duration.ZERO) > 0;
  }

  /** These settings with {@code window} as the idempotency window. */
  public SessionSettings withIdempotencyWindow(Duration window) {
    return new SessionSettings(
        maxHistoryMessages,
        defaultTimeout,
        idleTtl,
        orphanAfter,
        tick,
        includeContent,
        window,
        spans);
  }

  /** These settings with {@code level} as {@code tracing.spans}. */
  public SessionSettings withSpans(Tracer.Level level) {
    return new SessionSettings(
        maxHistoryMessages,
        defaultTimeout,
        idleTtl,
        orphanAfter,
        tick,
        includeContent,
        idempotencyWindow,
        level);
  }
}
