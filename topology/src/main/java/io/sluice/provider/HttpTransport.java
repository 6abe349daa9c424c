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

  /** Closes what this transport owns; shared resources are closed by their owner. */
  @Override
  void close();
}
