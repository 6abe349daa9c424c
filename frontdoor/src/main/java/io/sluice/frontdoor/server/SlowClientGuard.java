package io.sluice.frontdoor.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slow-client protection of one connection (HTTP/1.1) or one stream (HTTP/2). A request must arrive
 * whole within the read timeout of its first byte (a client trickling headers or body is cut off);
 * a connection with no call in progress closes after the idle timeout (from an {@code
 * IdleStateHandler} ahead of it). Placed after the HTTP codec it sees requests and answers; its
 * {@link #rawBytes()} handler, at the head of the pipeline, sees the first byte of each request.
 * Event loop only.
 */
final class SlowClientGuard extends ChannelDuplexHandler {
  private final long readTimeoutMs;
  private ScheduledFuture<?> deadline;
  private boolean receiving;
  private int open;
  private boolean http2;
  private boolean stream;

  SlowClientGuard(long readTimeoutMs) {
    this.readTimeoutMs = readTimeoutMs;
  }

  /** The head-of-pipeline handler that starts a request's read deadline at its first byte. */
  ChannelInboundHandlerAdapter rawBytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!http2(ctx) && !receiving && open == 0) {
          startReceiving(ctx);
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** A guard of one HTTP/2 stream: its request starts when the stream does. */
  static SlowClientGuard forStream(long readTimeoutMs) {
    SlowClientGuard g = new SlowClientGuard(readTimeoutMs);
    g.stream = true;
    return g;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (stream) {
      startReceiving(ctx);
    }
  }

  private void startReceiving(ChannelHandlerContext ctx) {
    receiving = true;
    cancel();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (receiving && !http2(ctx) && ctx.channel().isActive()) {
                    // the client is too slow: no answer is owed for a request not received
                    ctx.close();
                  }
                },
                readTimeoutMs,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest && !receiving) {
      startReceiving(ctx);
    }
    if (msg instanceof LastHttpContent) {
      receiving = false;
      open++;
      cancel();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent && open > 0) {
      open--;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent
        || evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // HTTP/2 from here: each stream has its own guard; this one only closes an idle connection
      http2 = true;
      receiving = false;
      cancel();
    } else if (evt instanceof IdleStateEvent) {
      if (((IdleStateEvent) evt).state() == io.netty.handler.timeout.IdleState.ALL_IDLE
          && idle(ctx)) {
        ctx.close();
        return;
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * Whether the connection has become HTTP/2 (by prior knowledge or upgrade): its streams have
   * guards of their own. Judged from the pipeline too, whichever way the switch was signalled.
   */
  private boolean http2(ChannelHandlerContext ctx) {
    if (!http2 && !stream && ctx.pipeline().get(Http2FrameCodec.class) != null) {
      http2 = true;
      receiving = false;
      cancel();
    }
    return http2;
  }

  private boolean idle(ChannelHandlerContext ctx) {
    if (http2(ctx)) {
      Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
      return codec == null || codec.connection().numActiveStreams() == 0;
    }
    return !receiving && open == 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
