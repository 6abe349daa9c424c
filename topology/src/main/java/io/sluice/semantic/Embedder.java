package io.sluice.semantic;

/** Turns a text into a unit-length vector. Implementations are thread-safe and CPU-bound. */
public interface Embedder {
  /** The vector of {@code text}, of length {@link #dimensions()}, normalized to length 1. */
  float[] embed(String text);

  int dimensions();
}
