package io.sluice.provider.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.sluice.provider.BodyParts;
import io.sluice.provider.HttpReply;
import io.sluice.provider.HttpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import okhttp3.Request;

/**
 * An event-loop HTTP client for one origin (vLLM, Ollama, the simulator, any OpenAI- or
 * Anthropic-compatible server, over {@code http://} or {@code https://}): no thread per call in
 * flight, so thousands of calls cost a few kilobytes each instead of a thread each.
 *
 * <ul>
 *   <li>HTTP/1.1: a pool of keep-alive connections, one call on each at a time, the most recently
 *       used first; an idle connection is closed after {@code idleTimeout}. A call whose reused
 *       connection turns out to be closed by the server before any byte of an answer arrived is
 *       sent once more on a new connection (a keep-alive race, not a provider failure). See {@link
 *       Http1Pool}.
 *   <li>HTTP/2: one connection, a stream per call; calls beyond the server's {@code
 *       SETTINGS_MAX_CONCURRENT_STREAMS} wait for a stream rather than fail; a new connection after
 *       the server closes it or sends {@code GOAWAY}. Over {@code http://} with prior knowledge
 *       (h2c); over {@code https://} negotiated by ALPN, and a server that does not agree to {@code
 *       h2} fails the connection, saying so. See {@link Http2Connection}.
 *   <li>TLS ({@code https://}): the JDK's TLS with its default trust store (or the given trust
 *       manager), SNI, and the server's certificate checked against the host name, as okhttp and
 *       browsers do.
 * </ul>
 *
 * The body is encoded on the event loop, never on the caller's thread. The future completes on the
 * event loop. A streamed call ({@link #stream}) gets its 2xx body piece by piece as it is read
 * ({@link StreamTap}), never aggregated.
 */
public final class NettyTransport implements HttpTransport {
  private final Origin origin;
  private final EventLoopGroup group;
  private final Connections connections = new Connections();
  private final Http1Pool http1; // null over HTTP/2
  private final Http2Connection http2; // null over HTTP/1.1

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
    this.origin = Origin.of(baseUrl);
    this.group = group;
    SslContext tls = origin.https() ? Tls.context(http2, trust) : null;
    Bootstrap base =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis());
    this.http1 = http2 ? null : new Http1Pool(base, origin, tls, connections, idleTimeout);
    this.http2 = http2 ? new Http2Connection(base, origin, tls, connections) : null;
  }

  @Override
  public CompletableFuture<HttpReply> send(Request request, Duration timeout) {
    return start(new Exchange(request, null), timeout);
  }

  /** The body's parts are delivered on the connection's event loop as Netty reads them. */
  @Override
  public CompletableFuture<HttpReply> stream(Request request, Duration timeout, BodyParts parts) {
    return start(new Exchange(request, parts), timeout);
  }

  private CompletableFuture<HttpReply> start(Exchange x, Duration timeout) {
    if (connections.closed()) {
      x.fail(new IOException("the client for " + origin + " is closed"));
      return x.future;
    }
    x.timer = group.next().schedule(x::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (http2 != null) {
      http2.openStream(x);
    } else {
      http1.acquire(x, false);
    }
    return x.future;
  }

  /** Open connections, pooled or busy; for tests and diagnostics. */
  public int openConnections() {
    return connections.open();
  }

  /** Connections opened since the start, closed ones included. */
  public long connectionsOpened() {
    return connections.opened();
  }

  @Override
  public void close() {
    connections.markClosed();
    if (http1 != null) {
      http1.clear();
    }
    connections.closeAll();
  }
}
