/**
 * The Flink SQL job over {@code llm.traces} ({@link io.sluice.analytics.TraceAnalyticsJob}): it
 * runs {@code trace-analytics.sql} with its placeholders filled in. A separate module, so the
 * gateway never depends on Flink.
 */
package io.sluice.analytics;
