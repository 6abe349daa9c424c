package io.sluice.dispatch;

/**
 * Runs provider calls off the stream thread. {@link #submit} never blocks: it starts the call,
 * queues it behind a saturated provider, or refuses it when the queue is full (the caller keeps the
 * request pending and offers it again later). Every accepted job ends in exactly one {@link
 * io.sluice.internal.Completion}, success or error, published to the job's partition.
 *
 * <p>Threading: {@code submit} is called from stream threads; calls complete on HTTP client
 * threads, which only build and publish the completion and never touch a processor context or a
 * store.
 */
public interface Dispatcher extends AutoCloseable {
  /** Takes the job, or returns false when it cannot queue more. */
  boolean submit(DispatchJob job);

  /**
   * Tells the dispatcher that the answer to {@code query}'s request was written to the cache, so
   * that a semantic cache can index it. Called on the stream thread; must not block. Ignored by
   * default.
   */
  default void cached(io.sluice.semantic.SemanticQuery query, long atMs) {}

  /** Calls in flight to providers right now. */
  int inFlight();

  @Override
  void close();
}
