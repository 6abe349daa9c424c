package io.sluice.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls one provider asynchronously through its {@link HttpTransport}, so the caller's thread never
 * waits; the request body is encoded by the transport, off the caller's thread. The future
 * completes with the result or a classified failure, never exceptionally.
 */
public final class ProviderClient {
  /** An answer or a failure, and the HTTP status when one came. */
  public record Outcome(ChatResult result, ProviderFailure failure) {
    public boolean ok() {
      return result != null;
    }
  }

  private final String name;
  private final ProviderAdapter adapter;
  private final HttpTransport transport;
  private final Duration timeout;

  public ProviderClient(
      String name, ProviderAdapter adapter, HttpTransport transport, Duration timeout) {
    this.name = name;
    this.adapter = adapter;
    this.transport = transport;
    this.timeout = timeout;
  }

  public String name() {
    return name;
  }

  /**
   * Starts {@code call}; it gives up after the provider's timeout or {@code maxWait}, if shorter.
   */
  public CompletableFuture<Outcome> call(ChatCall call, Duration maxWait) {
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    Duration limit = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    if (limit.isNegative() || limit.isZero()) {
      future.complete(
          new Outcome(
              null,
              new ProviderFailure(
                  ProviderFailure.Kind.RETRIABLE,
                  "timeout",
                  "no time left to call " + name,
                  null,
                  null)));
      return future;
    }
    transport
        .send(adapter.toHttp(call), limit)
        .whenComplete(
            (reply, e) -> future.complete(e != null ? new Outcome(null, ofError(e)) : read(reply)));
    return future;
  }

  private Outcome read(HttpReply reply) {
    try {
      if (reply.successful()) {
        return new Outcome(adapter.parse(reply.body()), null);
      }
      String body = new String(reply.body(), StandardCharsets.UTF_8);
      return new Outcome(null, adapter.failure(reply.status(), reply.headers(), body));
    } catch (IOException e) {
      return new Outcome(null, Failures.ofIo(name, e));
    } catch (RuntimeException e) {
      return new Outcome(
          null,
          new ProviderFailure(
              ProviderFailure.Kind.RETRIABLE,
              "provider_error",
              name + " answered something unreadable: " + e.getMessage(),
              reply.status(),
              null));
    }
  }

  private ProviderFailure ofError(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return cause instanceof IOException io
        ? Failures.ofIo(name, io)
        : Failures.ofIo(name, new IOException(String.valueOf(cause), cause));
  }
}
