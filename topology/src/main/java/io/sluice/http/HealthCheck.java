package io.sluice.http;

/** What {@code GET /health} reports: healthy or not, and a one-word state for humans. */
public interface HealthCheck {
  /** The current state, e.g. {@code RUNNING}; only healthy states answer 200. */
  Status status();

  /** A health status. */
  record Status(boolean healthy, String state) {}
}
