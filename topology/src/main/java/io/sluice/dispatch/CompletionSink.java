package io.sluice.dispatch;

import io.sluice.internal.Completion;

/** Where finished dispatches go: the completions topic, in production. Thread-safe. */
public interface CompletionSink extends AutoCloseable {
  /** Publishes {@code completion} to {@code partition}; never blocks on I/O. */
  void publish(int partition, Completion completion);

  /**
   * Publishes {@code completion}, the answer of another request's provider call shared with this
   * one, marked with the header {@link #SHARED_CALL_OF} naming {@code sharedCallOf} (that request's
   * id). A sink that cannot mark records publishes it unmarked.
   */
  default void publishShared(int partition, Completion completion, String sharedCallOf) {
    publish(partition, completion);
  }

  /** The completion record header naming the request whose provider call was shared. */
  String SHARED_CALL_OF = "sluice.shared.call.of";

  @Override
  default void close() {}
}
