package io.sluice.provider.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.provider.HttpReply;
import java.util.Map;
import java.util.function.Supplier;
import okhttp3.Headers;

/**
 * Sits before the aggregator of a connection (HTTP/1.1) or stream (HTTP/2): when the call being
 * answered streams ({@link Exchange#parts}) and its answer is 2xx, the body's pieces go to the
 * call's {@code parts} as they are read instead of on to the aggregator; any other answer passes
 * through and is aggregated as before. Lives on one channel, touched only by its event loop.
 */
final class StreamTap extends ChannelInboundHandlerAdapter {
  /** Ends a streamed call once its body is over: the connection's owner completes it. */
  interface End {
    void ended(ChannelHandlerContext ctx, Exchange x, HttpReply head, boolean keepAlive);
  }

  private final Supplier<Exchange> current;
  private final End end;
  private Exchange streaming;
  private HttpResponse head;

  /**
   * @param current the call now being answered on the channel, or null
   */
  StreamTap(Supplier<Exchange> current, End end) {
    this.current = current;
    this.end = end;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (streaming == null) {
      if (msg instanceof HttpResponse r
          && !(msg instanceof FullHttpResponse)
          && r.status().codeClass() == HttpStatusClass.SUCCESS) {
        Exchange x = current.get();
        if (x != null && x.parts != null) {
          streaming = x;
          head = r;
          if (r.decoderResult().isFailure()) {
            abort(ctx, r.decoderResult().cause());
          }
          return;
        }
      }
      ctx.fireChannelRead(msg);
      return;
    }
    if (!(msg instanceof HttpContent c)) {
      ctx.fireChannelRead(msg);
      return;
    }
    Exchange x = streaming;
    try {
      if (c.decoderResult().isFailure()) {
        abort(ctx, c.decoderResult().cause());
        return;
      }
      ByteBuf content = c.content();
      if (!x.future.isDone() && content.isReadable()) {
        byte[] bytes = ByteBufUtil.getBytes(content);
        x.parts.onPart(bytes, 0, bytes.length);
      }
    } catch (Exception e) {
      abort(ctx, e);
      return;
    } finally {
      ReferenceCountUtil.release(c);
    }
    if (msg instanceof LastHttpContent) {
      streaming = null;
      end.ended(ctx, x, reply(head), HttpUtil.isKeepAlive(head));
      head = null;
    }
  }

  private void abort(ChannelHandlerContext ctx, Throwable why) {
    Exchange x = streaming;
    streaming = null;
    head = null;
    x.fail(why);
    ctx.close(); // the rest of the body would be out of step with the next call
  }

  private static HttpReply reply(HttpResponse r) {
    Headers.Builder b = new Headers.Builder();
    for (Map.Entry<String, String> e : r.headers()) {
      b.addUnsafeNonAscii(e.getKey(), e.getValue());
    }
    return new HttpReply(r.status().code(), b.build(), new byte[0]);
  }
}
