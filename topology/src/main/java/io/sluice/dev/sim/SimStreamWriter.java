package io.sluice.dev.sim;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a streamed answer ({@code text/event-stream}, chunked over HTTP/1.1, DATA frames over
 * HTTP/2): the headers at once, then one event every {@code chunkDelayMs}, each a timer on the
 * channel's event loop, which is never blocked. With {@code cutAfter} set, the connection (or the
 * HTTP/2 stream) is closed right after that many delta events, without the end of the body.
 */
final class SimStreamWriter {
  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final List<SimStreamEvent> events;
  private final long chunkDelayMs;
  private final int cutAfter;
  private final Runnable done;
  private int next;
  private int deltas;

  /**
   * @param cutAfter delta events before the cut, or {@link SimFaults#NO_CUT}
   * @param done run once the stream ended, cleanly or cut
   */
  SimStreamWriter(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      List<SimStreamEvent> events,
      long chunkDelayMs,
      int cutAfter,
      Runnable done) {
    this.ctx = ctx;
    this.keepAlive = keepAlive;
    this.events = events;
    this.chunkDelayMs = chunkDelayMs;
    this.cutAfter = cutAfter;
    this.done = done;
  }

  void start() {
    if (!ctx.channel().isActive()) {
      done.run();
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setTransferEncodingChunked(head, true);
    if (!keepAlive) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(head);
    if (cutAfter == 0) {
      cut();
      return;
    }
    schedule();
  }

  private void schedule() {
    if (chunkDelayMs == 0) {
      ctx.executor().execute(this::writeNext);
    } else {
      ctx.executor().schedule(this::writeNext, chunkDelayMs, TimeUnit.MILLISECONDS);
    }
  }

  private void writeNext() {
    if (!ctx.channel().isActive()) {
      done.run();
      return;
    }
    SimStreamEvent e = events.get(next++);
    ctx.writeAndFlush(
        new DefaultHttpContent(Unpooled.wrappedBuffer(e.wire().getBytes(StandardCharsets.UTF_8))));
    if (e.delta() && ++deltas == cutAfter) {
      cut();
      return;
    }
    if (next < events.size()) {
      schedule();
      return;
    }
    if (keepAlive) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }
    done.run();
  }

  private void cut() {
    ctx.channel().close();
    done.run();
  }
}
