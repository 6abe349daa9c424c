package io.sluice.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A closed-loop HTTP/1.1 load client on Netty: N keep-alive connections, each with one call in
 * flight, the next sent as soon as the answer arrives. Event-loop driven, so the client does not
 * need a thread per call and costs far less CPU than a general-purpose client.
 */
final class NettyLoadClient implements AutoCloseable {
  private static final AttributeKey<Long> STARTED = AttributeKey.valueOf("started");

  /** Receives each finished call: the HTTP status (0 for a transport error) and its latency. */
  interface Listener {
    void completed(int status, long latencyNanos);
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final URI uri;
  private final ByteBuf body;
  private final Listener listener;
  private volatile boolean stopping;

  NettyLoadClient(URI uri, String jsonBody, Listener listener) {
    this.uri = uri;
    this.body =
        Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(jsonBody, StandardCharsets.UTF_8));
    this.listener = listener;
  }

  /** Opens {@code connections} connections and starts the loop on each; returns how many opened. */
  int start(int connections, IntConsumer failedToConnect) throws InterruptedException {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Loop());
                  }
                });
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    int opened = 0;
    for (int i = 0; i < connections; i++) {
      var f = b.connect(uri.getHost(), port).await();
      if (f.isSuccess()) {
        opened++;
        send(f.channel());
      } else {
        failedToConnect.accept(i);
      }
    }
    return opened;
  }

  private void send(Channel ch) {
    if (stopping || !ch.isActive()) {
      return;
    }
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath(), body.duplicate());
    req.headers()
        .set(HttpHeaderNames.HOST, uri.getHost())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    ch.attr(STARTED).set(System.nanoTime());
    ch.writeAndFlush(req)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    listener.completed(0, System.nanoTime() - ch.attr(STARTED).get());
                    f.channel().close();
                  }
                });
  }

  private final class Loop extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      listener.completed(
          resp.status().code(), System.nanoTime() - ctx.channel().attr(STARTED).get());
      send(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      listener.completed(0, System.nanoTime() - ctx.channel().attr(STARTED).get());
      ctx.close();
    }
  }

  @Override
  public void close() {
    stopping = true;
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
