package io.sluice.topology;

import java.time.Duration;

/**
 * Tool rounds: whether Sluice runs them (the config has a {@code tools} section), how long a round
 * waits for results, and how many rounds a request may take.
 */
public record ToolSettings(boolean enabled, Duration timeout, int maxRounds) {
  public static ToolSettings disabled() {
    return new ToolSettings(false, Duration.ofSeconds(10), 4);
  }
}
