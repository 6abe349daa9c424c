package io.sluice.provider;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.Request;

/**
 * Sends one HTTP request to a provider without blocking the caller. The future completes with the
 * whole answer, whatever its status, or exceptionally with an {@link java.io.IOException} (a {@link
 * java.net.SocketTimeoutException} when {@code timeout} passed first). It may complete on an I/O
 * thread: what runs after it must not block.
 */
public interface HttpTransport extends AutoCloseable {
  CompletableFuture<HttpReply> send(Request request, Duration timeout);

  /**
   * Sends {@code request} and hands a 2xx answer's body to {@code parts} as it arrives, without
   * holding all of it. The future completes when the body has ended: for a 2xx answer with an
   * {@link HttpReply} whose body is empty (every byte went to {@code parts}), otherwise with the
   * whole answer as {@link #send} gives it. A connection lost, a timeout (which covers the whole
   * body) or an exception from {@code parts} completes it exceptionally, whether or not parts of
   * the body were delivered.
   *
   * <p>This default waits for the whole body and delivers it in one part; the transports of the
   * gateway override it.
   */
  default CompletableFuture<HttpReply> stream(Request request, Duration timeout, BodyParts parts) {
    return send(request, timeout)
        .thenApply(
            reply -> {
              if (!reply.successful()) {
                return reply;
              }
              try {
                parts.onPart(reply.body(), 0, reply.body().length);
              } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
              }
              return new HttpReply(reply.status(), reply.headers(), new byte[0]);
            });
  }

  /** Closes what this transport owns; shared resources are closed by their owner. */
  @Override
  void close();
}
