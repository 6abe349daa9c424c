package io.sluice.frontdoor.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.frontdoor.metrics.FrontDoorMetrics;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.frontdoor.wire.WireFormat;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Writes whole answers (JSON bodies) and counts them. Event loop only. */
final class Answers {
  private Answers() {}

  /** Writes a JSON answer; closes the connection after it unless it is kept alive. */
  static void json(
      ChannelHandlerContext ctx,
      FrontDoorMetrics metrics,
      String route,
      boolean keepAlive,
      int status,
      byte[] body,
      Consumer<HttpHeaders> headers) {
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(resp, body.length);
    headers.accept(resp.headers());
    HttpUtil.setKeepAlive(resp, keepAlive);
    metrics.request(route, status);
    metrics.bytesOut(body.length);
    var written = ctx.writeAndFlush(resp);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Writes {@code error} and then closes the connection gently while the client may still be
   * sending a body the server will not read (413): over TCP, only the sending side is shut down
   * (the client reads the whole answer, then sees the end), what still arrives is discarded, and
   * the connection is closed {@code LINGER} later. Closing at once would leave unread bytes in the
   * socket, and the kernel would answer them with a reset that can destroy the answer before the
   * client reads it. An HTTP/2 stream is closed at once (its connection stays).
   */
  static void errorThenLinger(
      ChannelHandlerContext ctx,
      FrontDoorMetrics metrics,
      String route,
      WireFormat format,
      WireError error) {
    byte[] body = format.error(error);
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(error.status()),
            Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(resp, body.length);
    HttpUtil.setKeepAlive(resp, false);
    metrics.request(route, error.status());
    metrics.bytesOut(body.length);
    ctx.writeAndFlush(resp)
        .addListener(
            f -> {
              if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
                socket.shutdownOutput();
                ctx.executor()
                    .schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
              } else {
                ctx.close();
              }
            });
  }

  /** How long a connection answered with {@link #errorThenLinger} may keep sending. */
  static final Duration LINGER = Duration.ofSeconds(2);

  /** Writes {@code error} in {@code format}'s shape, with Retry-After when it has one. */
  static void error(
      ChannelHandlerContext ctx,
      FrontDoorMetrics metrics,
      String route,
      boolean keepAlive,
      WireFormat format,
      WireError error,
      Consumer<HttpHeaders> headers) {
    json(
        ctx,
        metrics,
        route,
        keepAlive,
        error.status(),
        format.error(error),
        h -> {
          if (error.retryAfterSeconds() != null) {
            h.set(HttpHeaderNames.RETRY_AFTER, String.valueOf(error.retryAfterSeconds()));
          }
          headers.accept(h);
        });
  }

  static Consumer<HttpHeaders> none() {
    return h -> {};
  }
}
