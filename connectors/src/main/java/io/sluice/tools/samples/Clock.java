package io.sluice.tools.samples;

import io.sluice.tools.worker.ToolHandler;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A sample tool: the current time in UTC, ISO-8601, to the second. */
public final class Clock implements ToolHandler {
  public static final String NAME = "clock";

  @Override
  public String call(String argumentsJson) {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
