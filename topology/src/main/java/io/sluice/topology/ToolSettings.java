package io.sluice.topology;

import java.time.Duration;

/**
 * Tool rounds: whether Sluice runs them (the config has a {@code tools} section), how long a round
 * waits for results, how many rounds a request may take, and the PII guards that mask tool results
 * before they go to the provider.
 */
public record ToolSettings(
    boolean enabled, Duration timeout, int maxRounds, io.sluice.guardrails.PiiGuards pii) {
  /** Settings with PII redaction off. */
  public ToolSettings(boolean enabled, Duration timeout, int maxRounds) {
    this(enabled, timeout, maxRounds, io.sluice.guardrails.PiiGuards.off());
  }

  public static ToolSettings disabled() {
    return new ToolSettings(false, Duration.ofSeconds(10), 4);
  }
}
