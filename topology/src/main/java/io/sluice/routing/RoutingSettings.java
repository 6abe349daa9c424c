package io.sluice.routing;

import java.time.Duration;

/**
 * Retry backoff and circuit-breaker settings ({@code routing:} in the config).
 *
 * @param backoffBase first retry waits up to this long (full jitter), doubling per retry
 * @param backoffMax cap of one backoff
 * @param breakerWindow calls in the breaker's sliding window, per deployment
 * @param breakerMinCalls calls before the failure rate counts
 * @param breakerFailureRate percent of failed calls that opens the circuit
 * @param breakerOpenFor how long an open circuit skips its deployment before probing again
 */
public record RoutingSettings(
    Duration backoffBase,
    Duration backoffMax,
    int breakerWindow,
    int breakerMinCalls,
    float breakerFailureRate,
    Duration breakerOpenFor) {
  public static RoutingSettings from(io.sluice.config.SluiceConfig.RoutingSection r) {
    return new RoutingSettings(
        io.sluice.config.Durations.parse(r.backoffBase(), "routing.backoff_base"),
        io.sluice.config.Durations.parse(r.backoffMax(), "routing.backoff_max"),
        r.breakerWindow(),
        r.breakerMinCalls(),
        r.breakerFailureRate().floatValue(),
        io.sluice.config.Durations.parse(r.breakerOpenFor(), "routing.breaker_open_for"));
  }
}
