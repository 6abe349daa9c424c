package io.sluice.frontdoor.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.kafka.RequestSink;
import io.sluice.frontdoor.reply.AnswerHeaders;
import io.sluice.frontdoor.reply.Waiter;
import io.sluice.frontdoor.wire.Statuses;
import io.sluice.frontdoor.wire.StreamEncoder;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.frontdoor.wire.WireFormat;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One synchronous or streamed chat call, from its produced request to its answer. Every method but
 * {@link #chunk} and {@link #response} (the reply reader's) runs on the channel's event loop, and
 * those two hand over to it, so the state needs no lock. It answers exactly once ({@link #done}):
 * the Response, a produce failure (503) or the deadline (504), whichever comes first; its slot in
 * {@code max_in_flight} is given back then. A client that goes away cancels nothing: the request
 * completes and is recorded in the responses topic.
 */
final class ChatCall implements Waiter {
  private final ServerParts parts;
  private final ChannelHandlerContext ctx;
  private final Routes.Route route;
  private final WireFormat format;
  private final boolean keepAlive;
  private final Runnable onDone;
  private String requestId;
  private StreamEncoder encoder;
  private ScheduledFuture<?> deadline;
  private boolean started;
  private boolean done;
  private RestoringReplies restore;

  ChatCall(
      ServerParts parts,
      ChannelHandlerContext ctx,
      Routes.Route route,
      boolean keepAlive,
      Runnable onDone) {
    this.parts = parts;
    this.ctx = ctx;
    this.route = route;
    this.format = route.format(parts);
    this.keepAlive = keepAlive;
    this.onDone = onDone;
  }

  /**
   * Registers for the replies, produces {@code r}, and arms the deadline; {@code restore} (or null)
   * puts the originals of a masked request back into its answer.
   */
  void begin(Request r, WireCall call, String traceparent, RestoringReplies restore) {
    this.restore = restore;
    requestId = r.getRequestId();
    if (r.getStream()) {
      encoder = format.stream(call, requestId);
    }
    parts.waiters().add(requestId, this);
    deadline = ctx.executor().schedule(this::deadlinePassed, waitMs(r), TimeUnit.MILLISECONDS);
    try {
      parts
          .sink()
          .send(r, traceparent)
          .whenComplete((ok, e) -> ctx.executor().execute(() -> acknowledged(e)));
    } catch (RequestSink.RecordTooLargeException e) {
      parts.waiters().remove(requestId, this);
      fail(new WireError(413, "request_too_large", e.getMessage(), null, null));
    } catch (RuntimeException e) {
      parts.waiters().remove(requestId, this);
      fail(new WireError(500, "internal_error", "the request could not be encoded", null, null));
    }
  }

  /** How long to wait for the Response: the request's own deadline plus a margin. */
  long waitMs(Request r) {
    long timeout =
        r.getTimeoutMs() != null ? r.getTimeoutMs() : parts.settings().defaultTimeout().toMillis();
    return timeout + parts.settings().deadlineMargin().toMillis();
  }

  private void acknowledged(Throwable e) {
    if (done) {
      return;
    }
    if (e != null) {
      parts.waiters().remove(requestId, this);
      fail(
          new WireError(
              503,
              "unavailable",
              "the request could not be written to Kafka: " + e.getMessage(),
              null,
              1L));
    } else if (encoder != null) {
      startStream();
    }
  }

  @Override
  public void chunk(ResponseChunk c) {
    ctx.executor().execute(() -> onChunk(c));
  }

  @Override
  public void response(Response r) {
    ctx.executor().execute(() -> onResponse(r));
  }

  private void onChunk(ResponseChunk c) {
    if (done || encoder == null) {
      return;
    }
    startStream();
    write(encoder.chunk(restore == null ? c : restore.chunk(c)));
  }

  private void onResponse(Response original) {
    if (done) {
      return;
    }
    Response r = restore == null ? original : restore.response(original);
    parts.metrics().overheadMs(AnswerHeaders.overheadMs(r));
    if (encoder != null) {
      startStream();
      write(encoder.end(r));
      endStream();
      return;
    }
    finish();
    if (r.getStatus() == ResponseStatus.OK) {
      Answers.json(
          ctx,
          parts.metrics(),
          route.metricName(),
          keepAlive,
          200,
          format.answer(r),
          h -> AnswerHeaders.set(h, r));
    } else {
      Answers.error(
          ctx,
          parts.metrics(),
          route.metricName(),
          keepAlive,
          format,
          Statuses.of(r),
          h -> AnswerHeaders.set(h, r));
    }
  }

  private void deadlinePassed() {
    if (done) {
      return;
    }
    parts.waiters().remove(requestId, this);
    WireError e =
        new WireError(504, "timeout", "no answer before the request's deadline", null, null);
    if (started) {
      write(encoder.fail(e));
      endStream();
    } else {
      fail(e);
    }
  }

  /** Answers 202 with the URL to poll (an asynchronous call whose record is acknowledged). */
  void accepted(String id) {
    if (done) {
      return;
    }
    finish();
    String location = Routes.REQUESTS_PREFIX + id;
    Answers.json(
        ctx,
        parts.metrics(),
        route.metricName(),
        keepAlive,
        202,
        ReadRoutes.pending(id),
        h -> h.set(AnswerHeaders.REQUEST_ID, id).set(HttpHeaderNames.LOCATION, location));
  }

  /** Answers {@code e} (before any byte of an answer was written). */
  void fail(WireError e) {
    if (done) {
      return;
    }
    finish();
    Answers.error(
        ctx,
        parts.metrics(),
        route.metricName(),
        keepAlive,
        format,
        e,
        h -> {
          if (requestId != null) {
            h.set(AnswerHeaders.REQUEST_ID, requestId);
          }
        });
  }

  private void startStream() {
    if (started) {
      return;
    }
    started = true;
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set(AnswerHeaders.REQUEST_ID, requestId);
    HttpUtil.setTransferEncodingChunked(head, true);
    HttpUtil.setKeepAlive(head, keepAlive);
    ctx.write(head);
    write(encoder.start());
  }

  private void write(byte[] bytes) {
    if (bytes.length > 0) {
      parts.metrics().bytesOut(bytes.length);
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    } else {
      ctx.flush();
    }
  }

  private void endStream() {
    finish();
    parts.metrics().request(route.metricName(), 200);
    var written = ctx.writeAndFlush(new DefaultLastHttpContent());
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void finish() {
    done = true;
    if (deadline != null) {
      deadline.cancel(false);
    }
    onDone.run();
  }
}
