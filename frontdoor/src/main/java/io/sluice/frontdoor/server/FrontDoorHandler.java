package io.sluice.frontdoor.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.sluice.events.Request;
import io.sluice.frontdoor.auth.Caller;
import io.sluice.frontdoor.request.CallHeaders;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.frontdoor.wire.WireFormat;
import io.sluice.guardrails.PiiGuard;
import io.sluice.guardrails.PiiOutcome;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each whole request: the two chat routes (within {@code max_in_flight}), {@code GET
 * /v1/models} and {@code GET /v1/requests/{id}}. Shared by every connection and stream; all state
 * of a call is in its {@link ChatCall}. On HTTP/1.1 the connection reads no further request while
 * one is answered, so answers leave in the order of their requests.
 */
@ChannelHandler.Sharable
final class FrontDoorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(FrontDoorHandler.class);

  private final ServerParts parts;
  private final ReadRoutes reads;

  FrontDoorHandler(ServerParts parts) {
    this.parts = parts;
    this.reads = new ReadRoutes(parts);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    parts.metrics().bytesIn(req.content().readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    Routes.Route route = Routes.of(req.uri());
    if (!req.decoderResult().isSuccess()) {
      Answers.error(
          ctx,
          parts.metrics(),
          route.metricName(),
          false,
          route.format(parts),
          WireError.invalid(null, "malformed HTTP request"),
          Answers.none());
      return;
    }
    HttpMethod method = req.method();
    switch (route) {
      case CHAT_COMPLETIONS:
      case MESSAGES:
        if (method.equals(HttpMethod.POST)) {
          chat(ctx, req, route, keepAlive);
          return;
        }
        break;
      case MODELS:
        if (method.equals(HttpMethod.GET)) {
          reads.models(ctx, req, keepAlive);
          return;
        }
        break;
      case REQUESTS:
        if (method.equals(HttpMethod.GET)) {
          reads.request(ctx, req, keepAlive);
          return;
        }
        break;
      default:
        Answers.error(
            ctx,
            parts.metrics(),
            route.metricName(),
            keepAlive,
            parts.openai(),
            new WireError(404, "not_found", "no route " + Routes.path(req.uri()), null, null),
            Answers.none());
        return;
    }
    Answers.error(
        ctx,
        parts.metrics(),
        route.metricName(),
        keepAlive,
        route.format(parts),
        new WireError(405, "method_not_allowed", method + " is not allowed here", null, null),
        h ->
            h.set(
                HttpHeaderNames.ALLOW,
                route == Routes.Route.MESSAGES || route == Routes.Route.CHAT_COMPLETIONS
                    ? "POST"
                    : "GET"));
  }

  private void chat(
      ChannelHandlerContext ctx, FullHttpRequest req, Routes.Route route, boolean keepAlive) {
    WireFormat format = route.format(parts);
    if (parts.metrics().inFlight().incrementAndGet() > parts.settings().maxInFlight()) {
      parts.metrics().inFlight().decrementAndGet();
      Answers.error(
          ctx,
          parts.metrics(),
          route.metricName(),
          keepAlive,
          format,
          new WireError(
              503, "front_door_busy", "the front door is at capacity; retry shortly", null, 1L),
          Answers.none());
      return;
    }
    boolean http1 = !(ctx.channel() instanceof Http2StreamChannel);
    if (http1) {
      ctx.channel().config().setAutoRead(false);
    }
    ChatCall call =
        new ChatCall(
            parts,
            ctx,
            route,
            keepAlive,
            () -> {
              parts.metrics().inFlight().decrementAndGet();
              if (http1) {
                ctx.channel().config().setAutoRead(true);
              }
            });
    try {
      Caller caller = parts.auth().caller(req.headers());
      String tenant = caller.tenant();
      byte[] body = new byte[req.content().readableBytes()];
      req.content().getBytes(req.content().readerIndex(), body);
      WireCall wire = format.parse(body);
      boolean async = respondAsync(req);
      Request r = parts.requests().build(wire, req.headers(), tenant);
      KeyScope.apply(caller, r);
      // PII is masked (or refused) here, so no original reaches a topic
      PiiGuard guard = parts.pii().forTenant(tenant);
      PiiOutcome pii = guard.apply(r);
      parts.metrics().pii().record(pii);
      if (pii.blocked()) {
        throw new WireError(400, PiiOutcome.CODE, pii.message(), "messages", null);
      }
      r = pii.request();
      RestoringReplies restore =
          guard.restores() && pii.redaction().restorable()
              ? new RestoringReplies(pii.redaction())
              : null;
      String traceparent = req.headers().get(CallHeaders.TRACEPARENT);
      if (async) {
        r.setStream(false);
        new AsyncCall(parts, ctx, route, call).begin(r, tenant, traceparent, restore);
      } else {
        call.begin(r, wire, traceparent, restore);
      }
    } catch (WireError e) {
      call.fail(e);
    } catch (RuntimeException e) {
      log.warn("front door call failed unexpectedly", e);
      call.fail(new WireError(500, "internal_error", "internal error", null, null));
    }
  }

  private static boolean respondAsync(FullHttpRequest req) {
    for (String v : req.headers().getAll(CallHeaders.PREFER)) {
      if (v.toLowerCase(Locale.ROOT).contains("respond-async")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("front door connection error: {}", cause.toString());
    ctx.close();
  }
}
