package io.sluice.dispatch;

import io.sluice.internal.Completion;

/** Where finished dispatches go: the completions topic, in production. Thread-safe. */
public interface CompletionSink extends AutoCloseable {
  /** Publishes {@code completion} to {@code partition}; never blocks on I/O. */
  void publish(int partition, Completion completion);

  @Override
  default void close() {}
}
