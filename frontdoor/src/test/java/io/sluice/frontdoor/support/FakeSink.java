package io.sluice.frontdoor.support;

import io.sluice.events.Request;
import io.sluice.frontdoor.kafka.RequestSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link RequestSink} that records each request and acknowledges it at once (or never, or with a
 * failure), then hands it to {@code then} (a test's stand-in for the gateway).
 */
public final class FakeSink implements RequestSink {
  /** What the sink does with a request. */
  public enum Mode {
    ACK,
    NEVER,
    FAIL
  }

  public final List<Request> sent = new CopyOnWriteArrayList<>();
  public final List<String> traceparents = new CopyOnWriteArrayList<>();
  public volatile Mode mode = Mode.ACK;
  public volatile Consumer<Request> then = r -> {};

  @Override
  public CompletableFuture<Void> send(Request r, String traceparent) {
    sent.add(r);
    if (traceparent != null) {
      traceparents.add(traceparent);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    switch (mode) {
      case ACK:
        f.complete(null);
        then.accept(r);
        break;
      case FAIL:
        f.completeExceptionally(new IllegalStateException("broker down"));
        break;
      default:
        break;
    }
    return f;
  }

  @Override
  public void close() {}
}
