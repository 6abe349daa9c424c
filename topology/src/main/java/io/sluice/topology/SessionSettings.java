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
 */
public record SessionSettings(
    int maxHistoryMessages,
    Duration defaultTimeout,
    Duration idleTtl,
    Duration orphanAfter,
    Duration tick,
    boolean includeContent) {}
