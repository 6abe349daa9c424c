package io.sluice.bench.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 keep-alive connections to one gateway, on one Netty event loop, for the load generator:
 * a call takes an idle connection or opens a new one (up to a bound; beyond it calls wait for a
 * connection in order). The body is read as it streams, so the time to the first Server-Sent Event
 * carrying content is measured as well as the time to the whole answer. Not thread-safe except
 * {@link #submit}, which hands the call to the event loop.
 */
final class HttpCallPool implements AutoCloseable {
  private static final AttributeKey<Call> CALL = AttributeKey.valueOf("call");

  /** Non-empty text in an OpenAI or Anthropic body or stream event. */
  private static final Pattern CONTENT =
      Pattern.compile("\"(content|text|partial_json)\"\\s*:\\s*\"[^\"]");

  /**
   * One call: its body and when it was meant to start (for latency without coordinated omission).
   */
  record Call(ByteBuf body, long intendedNanos, Outcome outcome) {}

  /** Receives each finished call, on the event loop. */
  interface Outcome {
    /**
     * @param status the HTTP status, 0 for a transport error
     * @param firstContentNanos time from the intended start to the first body bytes holding
     *     non-empty text ({@code "content"}, {@code "text"} or {@code "partial_json"}), or -1 when
     *     none came
     * @param totalNanos time from the intended start to the end of the answer
     */
    void done(int status, long firstContentNanos, long totalNanos);
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final URI uri;
  private final Map<String, String> headers;
  private final int maxConnections;
  private final Bootstrap bootstrap;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Call> waiting = new ArrayDeque<>();
  private int open;

  HttpCallPool(URI uri, Map<String, String> headers, int maxConnections) {
    this.uri = uri;
    this.headers = Map.copyOf(headers);
    this.maxConnections = maxConnections;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec()).addLast(new Reader());
                  }
                });
  }

  /** Starts {@code call} as soon as a connection is free; callable from any thread. */
  void submit(Call call) {
    group.next().execute(() -> start(call));
  }

  /** Connections open now (read on the event loop's schedule; for progress lines only). */
  int openConnections() {
    return open;
  }

  /** Calls waiting for a connection. */
  int waiting() {
    return waiting.size();
  }

  private void start(Call call) {
    Channel ch = idle.poll();
    while (ch != null && !ch.isActive()) {
      ch = idle.poll();
    }
    if (ch != null) {
      send(ch, call);
    } else if (open < maxConnections) {
      open++;
      bootstrap
          .connect(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  Channel c = ((io.netty.channel.ChannelFuture) f).channel();
                  c.closeFuture().addListener(x -> open--);
                  send(c, call);
                } else {
                  open--;
                  finish(call, 0, -1);
                }
              });
    } else {
      waiting.add(call);
    }
  }

  private void send(Channel ch, Call call) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath(), call.body());
    req.headers()
        .set(HttpHeaderNames.HOST, uri.getHost() + ":" + uri.getPort())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, call.body().readableBytes());
    headers.forEach((k, v) -> req.headers().set(k, v));
    ch.attr(CALL).set(call);
    ch.writeAndFlush(req)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ch.attr(CALL).set(null);
                finish(call, 0, -1);
                ch.close();
              }
            });
  }

  private void release(Channel ch) {
    Call next = waiting.poll();
    if (next != null) {
      send(ch, next);
    } else {
      idle.push(ch);
    }
  }

  private static void finish(Call call, int status, long firstContentNanos) {
    call.outcome().done(status, firstContentNanos, System.nanoTime() - call.intendedNanos());
  }

  /** Reads one answer at a time per connection, as it streams. */
  private final class Reader extends SimpleChannelInboundHandler<HttpObject> {
    private int status;
    private long firstContent = -1;
    private boolean keepAlive;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      Call call = ctx.channel().attr(CALL).get();
      if (call == null) {
        return;
      }
      if (msg instanceof HttpResponse r) {
        status = r.status().code();
        keepAlive = HttpUtil.isKeepAlive(r);
        firstContent = -1;
      }
      if (msg instanceof HttpContent c) {
        if (firstContent < 0 && holdsContent(c.content())) {
          firstContent = System.nanoTime() - call.intendedNanos();
        }
        if (msg instanceof LastHttpContent) {
          ctx.channel().attr(CALL).set(null);
          finish(call, status, firstContent);
          if (keepAlive) {
            release(ctx.channel());
          } else {
            ctx.close();
          }
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Call call = ctx.channel().attr(CALL).getAndSet(null);
      if (call != null) {
        finish(call, 0, -1);
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Call call = ctx.channel().attr(CALL).getAndSet(null);
      if (call != null) {
        finish(call, 0, -1);
      }
    }
  }

  private static boolean holdsContent(ByteBuf b) {
    if (!b.isReadable()) {
      return false;
    }
    return CONTENT.matcher(b.toString(StandardCharsets.UTF_8)).find();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
