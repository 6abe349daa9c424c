package io.sluice.frontdoor.server;

import io.netty.channel.ChannelHandlerContext;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.frontdoor.kafka.RequestSink;
import io.sluice.frontdoor.reply.Waiter;
import io.sluice.frontdoor.wire.WireError;
import java.util.concurrent.TimeUnit;

/**
 * A call with {@code Prefer: respond-async}: once its record is acknowledged the client gets 202
 * and {@code Location: /v1/requests/{id}}; the answer, when it arrives on this instance's reply
 * partition, is kept in {@link io.sluice.frontdoor.reply.AsyncResults} for {@code GET}.
 */
final class AsyncCall {
  private final ServerParts parts;
  private final ChannelHandlerContext ctx;
  private final Routes.Route route;
  private final ChatCall call;

  AsyncCall(ServerParts parts, ChannelHandlerContext ctx, Routes.Route route, ChatCall call) {
    this.parts = parts;
    this.ctx = ctx;
    this.route = route;
    this.call = call;
  }

  void begin(Request r, String tenant, String traceparent, RestoringReplies restore) {
    String id = r.getRequestId();
    long waitMs = call.waitMs(r);
    parts.async().accept(id, tenant, route.format(parts), parts.clock().millis() + waitMs);
    Waiter w =
        new Waiter() {
          @Override
          public void chunk(ResponseChunk chunk) {}

          @Override
          public void response(Response response) {
            parts.async().complete(restore == null ? response : restore.response(response));
          }
        };
    parts.waiters().add(id, w);
    // past its deadline the entry answers 504 by itself; stop waiting for the record then
    ctx.executor().schedule(() -> parts.waiters().remove(id, w), waitMs, TimeUnit.MILLISECONDS);
    try {
      parts
          .sink()
          .send(r, traceparent)
          .whenComplete(
              (ok, e) ->
                  ctx.executor()
                      .execute(
                          () -> {
                            if (e == null) {
                              call.accepted(id);
                            } else {
                              parts.waiters().remove(id, w);
                              parts.async().remove(id);
                              call.fail(
                                  new WireError(
                                      503,
                                      "unavailable",
                                      "the request could not be written to Kafka: "
                                          + e.getMessage(),
                                      null,
                                      1L));
                            }
                          }));
    } catch (RequestSink.RecordTooLargeException e) {
      parts.waiters().remove(id, w);
      parts.async().remove(id);
      call.fail(new WireError(413, "request_too_large", e.getMessage(), null, null));
    }
  }
}
