package io.sluice.frontdoor.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.frontdoor.wire.WireError;

/**
 * Aggregates a request body up to {@code front_door.max_body_bytes}. A larger one (by its {@code
 * Content-Length}, or once it grows past the limit) gets 413 in the route's format; the rest of the
 * body is discarded as it comes (never aggregated) and the connection is closed shortly after the
 * answer ({@link Answers#errorThenLinger}; HTTP/2: the stream, at once).
 */
final class BodyLimit extends HttpObjectAggregator {
  private final ServerParts parts;

  BodyLimit(ServerParts parts) {
    super((int) Math.min(Integer.MAX_VALUE, parts.settings().maxBodyBytes()));
    this.parts = parts;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    String uri = oversized instanceof HttpRequest ? ((HttpRequest) oversized).uri() : "";
    Routes.Route route = Routes.of(uri);
    WireError e =
        new WireError(
            413,
            "request_too_large",
            "the request body is larger than " + parts.settings().maxBodyBytes() + " bytes",
            null,
            null);
    Answers.errorThenLinger(ctx, parts.metrics(), route.metricName(), route.format(parts), e);
  }
}
