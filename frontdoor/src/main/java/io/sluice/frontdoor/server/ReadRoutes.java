package io.sluice.frontdoor.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.auth.Caller;
import io.sluice.frontdoor.reply.AnswerHeaders;
import io.sluice.frontdoor.reply.AsyncResults;
import io.sluice.frontdoor.wire.Statuses;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.frontdoor.wire.WireFormat;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/models} (the caller's aliases, in OpenAI's list format) and {@code GET
 * /v1/requests/{id}} (202 while an asynchronous request is pending, then the answer a synchronous
 * call would have had; 404 for an id this instance did not accept, or another tenant's).
 */
final class ReadRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerParts parts;

  ReadRoutes(ServerParts parts) {
    this.parts = parts;
  }

  void models(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
    String route = Routes.Route.MODELS.metricName();
    try {
      Caller caller = parts.auth().caller(req.headers());
      ObjectNode list = JSON.createObjectNode().put("object", "list");
      ArrayNode data = list.putArray("data");
      for (String alias : parts.models().aliases(caller.tenant())) {
        if (!caller.allows(alias)) {
          continue;
        }
        data.addObject()
            .put("id", alias)
            .put("object", "model")
            .put("created", 0)
            .put("owned_by", "sluice");
      }
      Answers.json(ctx, parts.metrics(), route, keepAlive, 200, bytes(list), Answers.none());
    } catch (WireError e) {
      Answers.error(ctx, parts.metrics(), route, keepAlive, parts.openai(), e, Answers.none());
    }
  }

  void request(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
    String route = Routes.Route.REQUESTS.metricName();
    String id = Routes.path(req.uri()).substring(Routes.REQUESTS_PREFIX.length());
    String tenant;
    try {
      tenant = parts.auth().tenant(req.headers());
    } catch (WireError e) {
      Answers.error(ctx, parts.metrics(), route, keepAlive, parts.openai(), e, Answers.none());
      return;
    }
    AsyncResults.Entry entry = parts.async().get(id);
    if (entry == null || !entry.tenant().equals(tenant)) {
      Answers.error(
          ctx,
          parts.metrics(),
          route,
          keepAlive,
          parts.openai(),
          new WireError(
              404,
              "not_found",
              "no asynchronous request " + id + " on this front door (see llm.responses)",
              null,
              null),
          Answers.none());
      return;
    }
    WireFormat format = entry.format();
    Response r = entry.response();
    if (r == null && parts.clock().millis() < entry.deadlineMs()) {
      Answers.json(
          ctx,
          parts.metrics(),
          route,
          keepAlive,
          202,
          pending(id),
          h -> h.set(AnswerHeaders.REQUEST_ID, id).set(HttpHeaderNames.RETRY_AFTER, "1"));
    } else if (r == null) {
      Answers.error(
          ctx,
          parts.metrics(),
          route,
          keepAlive,
          format,
          new WireError(504, "timeout", "no answer before the request's deadline", null, null),
          h -> h.set(AnswerHeaders.REQUEST_ID, id));
    } else if (r.getStatus() == ResponseStatus.OK) {
      Answers.json(
          ctx,
          parts.metrics(),
          route,
          keepAlive,
          200,
          format.answer(r),
          h -> AnswerHeaders.set(h, r));
    } else {
      Answers.error(
          ctx,
          parts.metrics(),
          route,
          keepAlive,
          format,
          Statuses.of(r),
          h -> AnswerHeaders.set(h, r));
    }
  }

  /** The body of a 202: the request's id and {@code "status": "pending"}. */
  static byte[] pending(String id) {
    return bytes(JSON.createObjectNode().put("id", id).put("status", "pending"));
  }

  private static byte[] bytes(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
