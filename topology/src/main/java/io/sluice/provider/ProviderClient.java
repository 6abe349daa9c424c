package io.sluice.provider;

import io.sluice.provider.stream.SseParser;
import io.sluice.provider.stream.StreamReader;
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

  /** The largest single stream event, and the largest streamed body, accepted. */
  static final int MAX_EVENT_BYTES = 8 << 20;

  static final long MAX_STREAM_BYTES = 32L << 20;

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
    Duration limit = limit(maxWait);
    if (limit == null) {
      return CompletableFuture.completedFuture(noTimeLeft());
    }
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    transport
        .send(adapter.toHttp(call), limit)
        .whenComplete(
            (reply, e) -> future.complete(e != null ? new Outcome(null, ofError(e)) : read(reply)));
    return future;
  }

  /**
   * Starts {@code call} with streaming: each delta goes to {@code out} as the provider sends it, on
   * the transport's I/O thread, and the outcome is the whole answer, accumulated from the stream as
   * the non-streamed call would have given it. The timeout covers the whole stream. A stream that
   * breaks, is malformed or ends before the format's end event is a retriable failure (whatever
   * {@code out} already received).
   */
  public CompletableFuture<Outcome> stream(
      ChatCall call, Duration maxWait, StreamReader.DeltaListener out) {
    Duration limit = limit(maxWait);
    if (limit == null) {
      return CompletableFuture.completedFuture(noTimeLeft());
    }
    StreamReader reader = adapter.streamReader(out);
    SseParser parser = new SseParser(reader::onEvent, MAX_EVENT_BYTES);
    long[] received = new long[1];
    BodyParts parts =
        (buf, off, len) -> {
          received[0] += len;
          if (received[0] > MAX_STREAM_BYTES) {
            throw new IOException(name + " streamed more than " + MAX_STREAM_BYTES + " bytes");
          }
          parser.feed(buf, off, len);
        };
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    transport.stream(adapter.toHttp(call, true), limit, parts)
        .whenComplete(
            (reply, e) -> {
              if (e != null) {
                future.complete(new Outcome(null, ofError(e)));
              } else if (!reply.successful()) {
                future.complete(read(reply));
              } else {
                future.complete(ended(reply, parts, parser, reader));
              }
            });
    return future;
  }

  private Outcome ended(HttpReply reply, BodyParts parts, SseParser parser, StreamReader reader) {
    try {
      if (reply.body().length > 0) {
        parts.onPart(reply.body(), 0, reply.body().length);
      }
      parser.finish();
    } catch (IOException e) {
      return new Outcome(null, ofError(e));
    }
    if (reader.complete()) {
      return new Outcome(reader.result(), null);
    }
    return new Outcome(
        null,
        new ProviderFailure(
            ProviderFailure.Kind.RETRIABLE,
            "provider_error",
            name + " ended its stream before the end event",
            reply.status(),
            null));
  }

  /** The time this call may take, or null when there is none left. */
  private Duration limit(Duration maxWait) {
    Duration limit = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    return limit.isNegative() || limit.isZero() ? null : limit;
  }

  private Outcome noTimeLeft() {
    return new Outcome(
        null,
        new ProviderFailure(
            ProviderFailure.Kind.RETRIABLE, "timeout", "no time left to call " + name, null, null));
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
