package io.sluice.provider.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.sluice.provider.HttpReply;
import java.io.IOException;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1: a pool of keep-alive connections, one call on each at a time, the most recently used
 * first; an idle connection is closed after the idle timeout. A call whose reused connection turns
 * out to be closed by the server before any byte of an answer arrived is sent once more on a new
 * connection (a keep-alive race, not a provider failure).
 *
 * <p>A connection's call is its {@code EXCHANGE} attribute, set while the call is out and cleared
 * when the answer arrives; only a connection without one is in the idle deque.
 */
final class Http1Pool {
  private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("sluice.exchange");
  private static final AttributeKey<Boolean> ANSWERING = AttributeKey.valueOf("sluice.answering");

  private final Origin origin;
  private final Connections connections;
  private final Bootstrap bootstrap;
  private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();

  /**
   * @param base the transport's bootstrap (event loop and socket options); this pool adds its own
   *     pipeline to a copy
   */
  Http1Pool(
      Bootstrap base,
      Origin origin,
      SslContext tls,
      Connections connections,
      Duration idleTimeout) {
    this.origin = origin;
    this.connections = connections;
    long idleSeconds = Math.max(1, idleTimeout.toSeconds());
    this.bootstrap =
        base.clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.track(ch);
                    ch.closeFuture().addListener(f -> idle.remove(ch));
                    Tls.addHandler(tls, ch, origin);
                    ch.pipeline()
                        .addLast(new AnswerMarker())
                        .addLast(new HttpClientCodec())
                        .addLast(
                            new StreamTap(() -> ch.attr(EXCHANGE).get(), Http1Pool.this::ended))
                        .addLast(new HttpObjectAggregator(HttpMessages.MAX_BODY))
                        .addLast(new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                        .addLast(new Http1Handler());
                  }
                });
  }

  /** Sends the call on an idle connection, or on a new one when {@code fresh} or none is idle. */
  void acquire(Exchange x, boolean fresh) {
    if (!fresh) {
      Channel ch;
      while ((ch = idle.pollFirst()) != null) {
        if (ch.isActive()) {
          x.reused = true;
          Channel c = ch;
          c.eventLoop().execute(() -> write(c, x));
          return;
        }
      }
    }
    x.reused = false;
    bootstrap
        .connect(origin.host(), origin.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    write(f.channel(), x);
                  } else {
                    x.fail(f.cause());
                  }
                });
  }

  /** Forgets the idle connections; {@link Connections#closeAll} closes them. */
  void clear() {
    idle.clear();
  }

  /** On {@code ch}'s event loop. */
  private void write(Channel ch, Exchange x) {
    if (x.future.isDone()) {
      release(ch);
      return;
    }
    FullHttpRequest req;
    try {
      req = HttpMessages.toNetty(x.request, origin, false);
    } catch (IOException | RuntimeException e) {
      release(ch);
      x.fail(e);
      return;
    }
    x.channel = ch;
    ch.attr(ANSWERING).set(false);
    ch.attr(EXCHANGE).set(x);
    ch.writeAndFlush(req)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    lost(ch, f.cause());
                  }
                });
  }

  private void release(Channel ch) {
    if (connections.closed() || !ch.isActive()) {
      ch.close();
    } else {
      idle.offerFirst(ch);
    }
  }

  /** The connection failed or closed; its call, if any, is failed or sent once more. */
  private void lost(Channel ch, Throwable why) {
    Exchange x = ch.attr(EXCHANGE).getAndSet(null);
    boolean answering = Boolean.TRUE.equals(ch.attr(ANSWERING).get());
    ch.close();
    if (x == null || x.future.isDone()) {
      return;
    }
    if (x.reused && !answering && !x.resent && !connections.closed()) {
      x.resent = true;
      acquire(x, true);
      return;
    }
    x.fail(why);
  }

  /** A streamed call's body is over: the connection goes back to the pool, the call completes. */
  private void ended(ChannelHandlerContext ctx, Exchange x, HttpReply head, boolean keepAlive) {
    Channel ch = ctx.channel();
    ch.attr(EXCHANGE).compareAndSet(x, null);
    if (keepAlive && !x.future.isDone()) {
      release(ch);
    } else {
      ch.close();
    }
    x.done(head);
  }

  /** Notes that an answer started to arrive, so a lost connection is not a keep-alive race. */
  private static final class AnswerMarker extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.channel().attr(ANSWERING).set(true);
      ctx.fireChannelRead(msg);
    }
  }

  /** Completes the connection's call with its answer and returns the connection to the pool. */
  private final class Http1Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      Channel ch = ctx.channel();
      Exchange x = ch.attr(EXCHANGE).getAndSet(null);
      if (x == null) {
        ch.close(); // an answer nobody asked for: the connection is out of step
        return;
      }
      HttpReply reply = HttpMessages.reply(resp);
      if (HttpUtil.isKeepAlive(resp) && !x.future.isDone()) {
        release(ch);
      } else {
        ch.close();
      }
      x.done(reply);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && ctx.channel().attr(EXCHANGE).get() == null) {
        idle.remove(ctx.channel());
        ctx.close();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      lost(ctx.channel(), new IOException("connection to " + origin + " closed before the answer"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      lost(ctx.channel(), cause);
    }
  }
}
