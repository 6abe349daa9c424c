package io.sluice.provider.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * HTTP/2: one connection, a stream per call; calls beyond the server's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} wait for a stream rather than fail; a new connection after the
 * server closes it or sends {@code GOAWAY}. Over {@code http://} with prior knowledge (h2c); over
 * {@code https://} negotiated by ALPN ({@link AlpnCheck}).
 */
final class Http2Connection {
  private final Bootstrap base;
  private final Origin origin;
  private final SslContext tls;
  private final Connections connections;
  private final Object lock = new Object();
  private Future<Channel> connection; // guarded by lock

  /**
   * @param base the transport's bootstrap (event loop and socket options); each connection gets its
   *     pipeline on a copy
   * @param tls null for h2c
   */
  Http2Connection(Bootstrap base, Origin origin, SslContext tls, Connections connections) {
    this.base = base;
    this.origin = origin;
    this.tls = tls;
    this.connections = connections;
  }

  /** Opens a stream for the call on the current connection (a new one if there is none). */
  void openStream(Exchange x) {
    connection()
        .addListener(
            (Future<Channel> f) -> {
              if (!f.isSuccess()) {
                x.fail(f.cause());
                return;
              }
              if (x.future.isDone()) {
                return;
              }
              new Http2StreamChannelBootstrap(f.getNow())
                  .handler(new Http2StreamInit(x, connections, () -> openStream(x)))
                  .open()
                  .addListener(
                      s -> {
                        if (!s.isSuccess()) {
                          x.fail(s.cause());
                          return;
                        }
                        send((Http2StreamChannel) s.getNow(), x);
                      });
            });
  }

  /**
   * The connection, ready once the server's first {@code SETTINGS} arrived, so that no stream is
   * opened before its {@code SETTINGS_MAX_CONCURRENT_STREAMS} is known.
   */
  private Future<Channel> connection() {
    synchronized (lock) {
      Future<Channel> c = connection;
      if (c == null || (c.isDone() && (!c.isSuccess() || !c.getNow().isActive()))) {
        Promise<Channel> ready = ImmediateEventExecutor.INSTANCE.newPromise();
        base.clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.track(ch);
                    Tls.addHandler(tls, ch, origin);
                    if (tls != null) {
                      ch.pipeline().addLast(new AlpnCheck(ready, origin));
                    }
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient()
                                .encoderEnforceMaxConcurrentStreams(true)
                                .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new ConnectionWatcher(ready));
                  }
                })
            .connect(origin.host(), origin.port())
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (!f.isSuccess()) {
                        ready.tryFailure(f.cause());
                      }
                    });
        c = ready;
        connection = c;
      }
      return c;
    }
  }

  /** No new stream goes on {@code parent}: the next call opens a new connection. */
  private void forget(Channel parent) {
    synchronized (lock) {
      if (connection != null
          && connection.isDone()
          && connection.isSuccess()
          && connection.getNow() == parent) {
        connection = null;
      }
    }
  }

  private void send(Http2StreamChannel stream, Exchange x) {
    if (x.future.isDone()) {
      stream.close();
      return;
    }
    FullHttpRequest req;
    try {
      req = HttpMessages.toNetty(x.request, origin, true);
    } catch (IOException | RuntimeException e) {
      stream.close();
      x.fail(e);
      return;
    }
    x.channel = stream;
    stream
        .writeAndFlush(req)
        .addListener(
            (ChannelFutureListener)
                w -> {
                  if (!w.isSuccess()) {
                    x.fail(w.cause());
                    stream.close();
                  }
                });
  }

  /**
   * Marks the connection ready at the server's first {@code SETTINGS}, and stops new streams on it
   * once the server sends {@code GOAWAY} or closes it.
   */
  private final class ConnectionWatcher extends ChannelInboundHandlerAdapter {
    private final Promise<Channel> ready;

    ConnectionWatcher(Promise<Channel> ready) {
      this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame) {
        ready.trySuccess(ctx.channel());
      } else if (msg instanceof Http2GoAwayFrame) {
        forget(ctx.channel());
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ready.tryFailure(
          new IOException("connection to " + origin + " closed before the server's settings"));
      forget(ctx.channel());
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.tryFailure(cause);
      ctx.close();
    }
  }
}
