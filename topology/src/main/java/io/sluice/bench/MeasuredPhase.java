package io.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something {@link GatewayBench} samples over its measured phase only (the warm-up and the drain
 * left out): told when the phase starts and ends, ticked at every 5-s progress line, and asked to
 * add its figures to the summary. Called from the bench's sending thread.
 */
public interface MeasuredPhase {
  void start();

  /** At every progress line during the measured phase. */
  default void tick() {}

  void end();

  /** Adds this meter's figures to {@code summary}; {@code answered} measured requests. */
  void report(ObjectNode summary, long answered);
}
