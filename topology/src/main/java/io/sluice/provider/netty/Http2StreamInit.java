package io.sluice.provider.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * The pipeline of one call's HTTP/2 stream: frames to a whole response, which completes the call. A
 * stream the server refused ({@code REFUSED_STREAM}: it did not process it) is opened again, up to
 * {@value #MAX_REFUSALS} times; any other end before the answer fails the call.
 */
final class Http2StreamInit extends ChannelInitializer<Channel> {
  private static final int MAX_REFUSALS = 3;

  private final Exchange x;
  private final Connections connections;
  private final Runnable reopen;

  /**
   * @param reopen opens a new stream for the call after a refusal
   */
  Http2StreamInit(Exchange x, Connections connections, Runnable reopen) {
    this.x = x;
    this.connections = connections;
    this.reopen = reopen;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline()
        .addLast(new Http2StreamFrameToHttpObjectCodec(false))
        .addLast(
            new StreamTap(
                () -> x,
                (ctx, call, head, keepAlive) -> {
                  call.done(head);
                  ctx.close();
                }))
        .addLast(new HttpObjectAggregator(HttpMessages.MAX_BODY))
        .addLast(
            new SimpleChannelInboundHandler<FullHttpResponse>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
                x.done(HttpMessages.reply(resp));
                ctx.close();
              }

              private boolean refused;

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof Http2ResetFrame reset
                    && reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
                  refused = true; // the server did not process it: safe to send again
                }
                ReferenceCountUtil.release(evt);
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                if (refused
                    && !x.future.isDone()
                    && !connections.closed()
                    && x.refusals++ < MAX_REFUSALS) {
                  reopen.run();
                } else {
                  x.fail(new IOException("stream closed before the answer"));
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                x.fail(cause);
                ctx.close();
              }
            });
  }
}
