package io.sluice.provider;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * An event-loop HTTP client for one origin (vLLM, Ollama, the simulator, any OpenAI- or
 * Anthropic-compatible server, over {@code http://} or {@code https://}): no thread per call in
 * flight, so thousands of calls cost a few kilobytes each instead of a thread each.
 *
 * <ul>
 *   <li>HTTP/1.1: a pool of keep-alive connections, one call on each at a time, the most recently
 *       used first; an idle connection is closed after {@code idleTimeout}. A call whose reused
 *       connection turns out to be closed by the server before any byte of an answer arrived is
 *       sent once more on a new connection (a keep-alive race, not a provider failure).
 *   <li>HTTP/2: one connection, a stream per call; calls beyond the server's {@code
 *       SETTINGS_MAX_CONCURRENT_STREAMS} wait for a stream rather than fail; a new connection after
 *       the server closes it or sends {@code GOAWAY}. Over {@code http://} with prior knowledge
 *       (h2c); over {@code https://} negotiated by ALPN, and a server that does not agree to {@code
 *       h2} fails the connection, saying so.
 *   <li>TLS ({@code https://}): the JDK's TLS with its default trust store (or the given trust
 *       manager), SNI, and the server's certificate checked against the host name, as okhttp and
 *       browsers do.
 * </ul>
 *
 * The body is encoded on the event loop, never on the caller's thread. The future completes on the
 * event loop.
 */
public final class NettyTransport implements HttpTransport {
  private static final int MAX_BODY = 32 << 20;
  private static final int MAX_REFUSALS = 3;
  private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("sluice.exchange");
  private static final AttributeKey<Boolean> ANSWERING = AttributeKey.valueOf("sluice.answering");

  private final String origin;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final boolean http2;
  private final SslContext tls; // null for http://
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicLong connects = new AtomicLong();
  private final Object h2Lock = new Object();
  private Future<Channel> h2Connection; // guarded by h2Lock
  private volatile boolean closed;

  /**
   * @param baseUrl an {@code http://} or {@code https://} URL; every request sent must go to its
   *     host and port
   * @param group the event loop, shared by the transports of one gateway and closed by its owner
   */
  public NettyTransport(
      String baseUrl,
      boolean http2,
      EventLoopGroup group,
      Duration connectTimeout,
      Duration idleTimeout) {
    this(baseUrl, http2, group, connectTimeout, idleTimeout, null);
  }

  /**
   * @param trust the certificates an {@code https://} server may present (null: the JDK's default
   *     trust store, as for every other TLS client of the JVM)
   */
  public NettyTransport(
      String baseUrl,
      boolean http2,
      EventLoopGroup group,
      Duration connectTimeout,
      Duration idleTimeout,
      X509TrustManager trust) {
    HttpUrl url = HttpUrl.get(baseUrl);
    boolean https = url.scheme().equals("https");
    this.host = url.host();
    this.port = url.port();
    String h = host.contains(":") ? "[" + host + "]" : host;
    this.hostHeader = port == HttpUrl.defaultPort(url.scheme()) ? h : h + ":" + port;
    this.origin = url.scheme() + "://" + hostHeader;
    this.http2 = http2;
    this.tls = https ? tlsContext(http2, trust) : null;
    this.group = group;
    long idleSeconds = Math.max(1, idleTimeout.toSeconds());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    track(ch);
                    ch.closeFuture().addListener(f -> idle.remove(ch));
                    addTls(ch);
                    ch.pipeline()
                        .addLast(new AnswerMarker())
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(MAX_BODY))
                        .addLast(new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                        .addLast(new Http1Handler());
                  }
                });
  }

  /** TLS offering by ALPN the one protocol this transport speaks. */
  private static SslContext tlsContext(boolean http2, X509TrustManager trust) {
    try {
      return SslContextBuilder.forClient()
          .trustManager(trust)
          .endpointIdentificationAlgorithm("HTTPS") // the certificate must name the host
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The TLS handler, first in the pipeline, for an {@code https://} origin (else nothing). */
  private void addTls(Channel ch) {
    if (tls == null) {
      return;
    }
    ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port)); // SNI from the host name
  }

  @Override
  public CompletableFuture<HttpReply> send(Request request, Duration timeout) {
    Exchange x = new Exchange(request);
    if (closed) {
      x.fail(new IOException("the client for " + origin + " is closed"));
      return x.future;
    }
    x.timer = group.next().schedule(x::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (http2) {
      openStream(x);
    } else {
      acquire(x, false);
    }
    return x.future;
  }

  private void track(Channel ch) {
    channels.add(ch);
    connects.incrementAndGet();
  }

  /** Open connections, pooled or busy; for tests and diagnostics. */
  public int openConnections() {
    return channels.size();
  }

  /** Connections opened since the start, closed ones included. */
  public long connectionsOpened() {
    return connects.get();
  }

  @Override
  public void close() {
    closed = true;
    idle.clear();
    channels.close();
  }

  /** One call: its request, its future and, once it has one, its connection or stream. */
  private final class Exchange {
    final Request request;
    final CompletableFuture<HttpReply> future = new CompletableFuture<>();
    volatile Channel channel;
    volatile ScheduledFuture<?> timer;
    boolean reused;
    boolean resent;
    int refusals;

    Exchange(Request request) {
      this.request = request;
    }

    void done(HttpReply reply) {
      if (future.complete(reply)) {
        cancelTimer();
      }
    }

    void fail(Throwable e) {
      if (future.completeExceptionally(asIo(e))) {
        cancelTimer();
      }
    }

    void timedOut() {
      if (future.completeExceptionally(new SocketTimeoutException("timeout"))) {
        Channel c = channel;
        if (c != null) {
          c.close(); // an HTTP/1.1 connection with an unanswered call cannot be reused
        }
      }
    }

    private void cancelTimer() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  // ---- HTTP/1.1 ----

  private void acquire(Exchange x, boolean fresh) {
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
        .connect(host, port)
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

  /** On {@code ch}'s event loop. */
  private void write(Channel ch, Exchange x) {
    if (x.future.isDone()) {
      release(ch);
      return;
    }
    FullHttpRequest req;
    try {
      req = toNetty(x.request, false);
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
    if (closed || !ch.isActive()) {
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
    if (x.reused && !answering && !x.resent && !closed) {
      x.resent = true;
      acquire(x, true);
      return;
    }
    x.fail(why);
  }

  /** Notes that an answer started to arrive, so a lost connection is not a keep-alive race. */
  private static final class AnswerMarker extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.channel().attr(ANSWERING).set(true);
      ctx.fireChannelRead(msg);
    }
  }

  private final class Http1Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      Channel ch = ctx.channel();
      Exchange x = ch.attr(EXCHANGE).getAndSet(null);
      if (x == null) {
        ch.close(); // an answer nobody asked for: the connection is out of step
        return;
      }
      HttpReply reply = reply(resp);
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

  // ---- HTTP/2 ----

  /**
   * The h2c connection, ready once the server's first {@code SETTINGS} arrived, so that no stream
   * is opened before its {@code SETTINGS_MAX_CONCURRENT_STREAMS} is known.
   */
  private Future<Channel> h2Connection() {
    synchronized (h2Lock) {
      Future<Channel> c = h2Connection;
      if (c == null || (c.isDone() && (!c.isSuccess() || !c.getNow().isActive()))) {
        Promise<Channel> ready = ImmediateEventExecutor.INSTANCE.newPromise();
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    track(ch);
                    addTls(ch);
                    if (tls != null) {
                      ch.pipeline().addLast(new AlpnCheck(ready));
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
            .connect(host, port)
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (!f.isSuccess()) {
                        ready.tryFailure(f.cause());
                      }
                    });
        c = ready;
        h2Connection = c;
      }
      return c;
    }
  }

  private void forget(Channel parent) {
    synchronized (h2Lock) {
      if (h2Connection != null
          && h2Connection.isDone()
          && h2Connection.isSuccess()
          && h2Connection.getNow() == parent) {
        h2Connection = null;
      }
    }
  }

  private void openStream(Exchange x) {
    h2Connection()
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
                  .handler(new StreamInit(x))
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

  private void send(Http2StreamChannel stream, Exchange x) {
    if (x.future.isDone()) {
      stream.close();
      return;
    }
    FullHttpRequest req;
    try {
      req = toNetty(x.request, true);
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

  private final class StreamInit extends ChannelInitializer<Channel> {
    private final Exchange x;

    StreamInit(Exchange x) {
      this.x = x;
    }

    @Override
    protected void initChannel(Channel ch) {
      ch.pipeline()
          .addLast(new Http2StreamFrameToHttpObjectCodec(false))
          .addLast(new HttpObjectAggregator(MAX_BODY))
          .addLast(
              new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
                  x.done(reply(resp));
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
                  if (refused && !x.future.isDone() && !closed && x.refusals++ < MAX_REFUSALS) {
                    openStream(x);
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

  /**
   * Over TLS, fails the connection with the handshake's own error, or when the server did not agree
   * to HTTP/2 by ALPN (it would not understand the frames that follow).
   */
  private final class AlpnCheck extends ChannelInboundHandlerAdapter {
    private final Promise<Channel> ready;

    AlpnCheck(Promise<Channel> ready) {
      this.ready = ready;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          Throwable cause = done.cause();
          // a strict server ends the handshake with this alert rather than choose no protocol
          boolean refusedH2 =
              String.valueOf(cause.getMessage()).contains("no_application_protocol");
          ready.tryFailure(refusedH2 ? noHttp2(cause.getMessage(), cause) : cause);
        } else {
          String chosen = ctx.pipeline().get(SslHandler.class).applicationProtocol();
          if (!ApplicationProtocolNames.HTTP_2.equals(chosen)) {
            ready.tryFailure(noHttp2(chosen == null ? "no protocol chosen" : chosen, null));
            ctx.close();
            return;
          }
        }
        ctx.fireUserEventTriggered(evt);
        ctx.pipeline().remove(this);
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  private IOException noHttp2(String detail, Throwable cause) {
    return new IOException(
        origin + " did not agree to HTTP/2 by ALPN (" + detail + "): set http2: false for it",
        cause);
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

  // ---- both ----

  private FullHttpRequest toNetty(Request r, boolean h2) throws IOException {
    RequestBody body = r.body();
    byte[] bytes = new byte[0];
    if (body != null) {
      Buffer b = new Buffer();
      body.writeTo(b);
      bytes = b.readByteArray();
    }
    HttpUrl url = r.url();
    if (!url.host().equals(host) || url.port() != port) {
      throw new IllegalArgumentException(url + " is not on " + origin);
    }
    String target =
        url.encodedQuery() == null
            ? url.encodedPath()
            : url.encodedPath() + "?" + url.encodedQuery();
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(r.method()),
            target,
            Unpooled.wrappedBuffer(bytes));
    HttpHeaders h = req.headers();
    h.set(HttpHeaderNames.HOST, hostHeader);
    Headers given = r.headers();
    for (int i = 0; i < given.size(); i++) {
      h.add(given.name(i), given.value(i));
    }
    if (!h.contains(HttpHeaderNames.USER_AGENT)) {
      h.set(HttpHeaderNames.USER_AGENT, "sluice");
    }
    MediaType type = body == null ? null : body.contentType();
    if (type != null && !h.contains(HttpHeaderNames.CONTENT_TYPE)) {
      h.set(HttpHeaderNames.CONTENT_TYPE, type.toString());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (h2) {
      h.set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), tls == null ? "http" : "https");
    }
    return req;
  }

  private static HttpReply reply(FullHttpResponse resp) {
    Headers.Builder b = new Headers.Builder();
    for (Map.Entry<String, String> e : resp.headers()) {
      b.addUnsafeNonAscii(e.getKey(), e.getValue());
    }
    return new HttpReply(resp.status().code(), b.build(), ByteBufUtil.getBytes(resp.content()));
  }

  private static IOException asIo(Throwable t) {
    return t instanceof IOException io ? io : new IOException(String.valueOf(t), t);
  }
}
