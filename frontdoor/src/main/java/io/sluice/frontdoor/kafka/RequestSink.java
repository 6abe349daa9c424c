package io.sluice.frontdoor.kafka;

import io.sluice.events.Request;
import java.util.concurrent.CompletableFuture;

/**
 * Where the front door sends each request: the requests topic, keyed by session, with this
 * instance's reply address. The future completes once the record is acknowledged (or fails).
 */
public interface RequestSink extends AutoCloseable {
  /**
   * Sends {@code r}; {@code traceparent} is the client's W3C trace context, or null.
   *
   * @throws RecordTooLargeException when the serialized request is larger than records may be
   */
  CompletableFuture<Void> send(Request r, String traceparent);

  @Override
  void close();

  /** The serialized request is larger than the largest record Sluice writes. */
  final class RecordTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RecordTooLargeException(String message) {
      super(message, null, false, false);
    }
  }
}
