package io.sluice.guardrails;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code sluice_pii_detected_total{entity, stage}}: values found per entity type, where {@code
 * stage} is {@code front_door}, {@code ingest} or {@code tool_result}; and {@code
 * sluice_pii_blocked_total{stage}}: requests refused. Counts only, never values. Thread-safe.
 */
public final class PiiMetrics {
  private final MeterRegistry registry;
  private final String stage;
  private final Map<String, Counter> detected = new ConcurrentHashMap<>();
  private final Counter blocked;

  public PiiMetrics(MeterRegistry registry, String stage) {
    this.registry = registry;
    this.stage = stage;
    this.blocked =
        Counter.builder("sluice.pii.blocked")
            .description("requests refused because they contain personal data")
            .tag("stage", stage)
            .register(registry);
  }

  /** Records what {@code outcome} found. */
  public void record(PiiOutcome outcome) {
    record(outcome.counts());
    if (outcome.blocked()) {
      blocked.increment();
    }
  }

  /** Records values found, by entity type. */
  public void record(Map<String, Integer> counts) {
    counts.forEach(
        (entity, n) ->
            detected
                .computeIfAbsent(
                    entity,
                    e ->
                        Counter.builder("sluice.pii.detected")
                            .description("personal data values found, by entity type")
                            .tag("entity", e)
                            .tag("stage", stage)
                            .register(registry))
                .increment(n));
  }
}
