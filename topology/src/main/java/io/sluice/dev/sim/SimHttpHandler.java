package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request (HTTP/1.1 or an HTTP/2 stream). Runs on the Netty event loop and never
 * blocks it: a delayed answer is a timer on the same loop, so thousands of calls can be in flight
 * on two threads.
 */
@ChannelHandler.Sharable
final class SimHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(SimHttpHandler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final LlmSimulator sim;

  SimHttpHandler(LlmSimulator sim) {
    this.sim = sim;
  }

  /** The per-request override of the {@code stream-cut-after} fault. */
  static final String CUT_HEADER = "x-sim-stream-cut-after";

  /**
   * An answer; {@code fault} when it is an injected failure (delayed by fail-latency-ms); {@code
   * stream} the events of a streamed answer (instead of {@code body}), cut after {@code cutAfter}
   * delta events.
   */
  private record Reply(
      int status,
      JsonNode body,
      Map<String, String> headers,
      boolean fault,
      List<SimStreamEvent> stream,
      int cutAfter) {
    Reply(int status, JsonNode body) {
      this(status, body, Map.of(), false);
    }

    Reply(int status, JsonNode body, Map<String, String> headers, boolean fault) {
      this(status, body, headers, fault, null, SimFaults.NO_CUT);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = new QueryStringDecoder(req.uri()).path();
    HttpMethod method = req.method();
    try {
      if (method.equals(HttpMethod.POST) && path.equals("/v1/chat/completions")) {
        chat(ctx, req, keepAlive, false);
      } else if (method.equals(HttpMethod.POST) && path.equals("/v1/messages")) {
        chat(ctx, req, keepAlive, true);
      } else if (method.equals(HttpMethod.GET) && path.equals("/stats")) {
        send(ctx, keepAlive, new Reply(200, sim.stats().toJson()));
      } else if (path.equals("/admin/faults") && method.equals(HttpMethod.POST)) {
        sim.faults(sim.faults().with(readJson(req)));
        send(ctx, keepAlive, new Reply(200, sim.faults().toJson()));
      } else if (path.equals("/admin/faults") && method.equals(HttpMethod.GET)) {
        send(ctx, keepAlive, new Reply(200, sim.faults().toJson()));
      } else if (path.equals("/admin/reset") && method.equals(HttpMethod.POST)) {
        sim.stats().reset();
        sim.clearRecorded();
        send(ctx, keepAlive, new Reply(200, sim.stats().toJson()));
      } else if (path.equals("/admin/requests") && method.equals(HttpMethod.GET)) {
        ArrayNode arr = MAPPER.createArrayNode();
        sim.recorded().forEach(arr::add);
        send(ctx, keepAlive, new Reply(200, arr));
      } else if (path.equals("/health") || path.equals("/")) {
        send(ctx, keepAlive, new Reply(200, MAPPER.createObjectNode().put("status", "ok")));
      } else {
        send(
            ctx,
            keepAlive,
            new Reply(
                404, OpenAiFormat.error("not_found", "no route " + method + " " + path, null)));
      }
    } catch (IllegalArgumentException e) {
      send(
          ctx,
          keepAlive,
          new Reply(400, OpenAiFormat.error("invalid_request_error", e.getMessage(), null)));
    }
  }

  private void chat(
      ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, boolean anthropic) {
    SimStats stats = sim.stats();
    stats.started();
    (anthropic ? stats.anthropic : stats.openai).increment();
    Reply reply = decide(req, anthropic);
    if (reply == null) {
      stats.hung.increment();
      stats.finished();
      return;
    }
    if (reply.status() == 400 || reply.status() == 401) {
      stats.rejected.increment();
      stats.finished();
      send(ctx, keepAlive, reply);
      return;
    }
    SimFaults faults = sim.faults();
    long delay = reply.fault() ? faults.failureDelayMs() : faults.latencyMs();
    if (faults.jitterMs() > 0) {
      delay += ThreadLocalRandom.current().nextLong(faults.jitterMs() + 1);
    }
    Runnable answer =
        reply.stream() != null
            ? () ->
                new SimStreamWriter(
                        ctx,
                        keepAlive,
                        reply.stream(),
                        faults.chunkDelayMs(),
                        reply.cutAfter(),
                        () -> {
                          (reply.cutAfter() == SimFaults.NO_CUT ? stats.ok : stats.failed)
                              .increment();
                          stats.finished();
                        })
                    .start()
            : () -> {
              (reply.status() == 200 ? stats.ok : stats.failed).increment();
              stats.finished();
              send(ctx, keepAlive, reply);
            };
    if (delay == 0) {
      answer.run();
    } else {
      ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS);
    }
  }

  /** The reply to a chat call, or {@code null} to hang. */
  private Reply decide(FullHttpRequest req, boolean anthropic) {
    JsonNode body;
    try {
      body = readJson(req);
    } catch (IllegalArgumentException e) {
      return badRequest(anthropic, e.getMessage());
    }
    sim.record(req.uri(), body);
    String key =
        anthropic
            ? req.headers().get("x-api-key")
            : stripBearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (sim.apiKey() != null && !sim.apiKey().equals(key)) {
      return new Reply(
          401,
          anthropic
              ? AnthropicFormat.error("authentication_error", "invalid x-api-key")
              : OpenAiFormat.error(
                  "invalid_request_error", "Incorrect API key provided.", "invalid_api_key"));
    }
    SimConversation conversation;
    try {
      conversation = anthropic ? AnthropicFormat.parse(body) : OpenAiFormat.parse(body);
    } catch (SimBadRequest e) {
      return badRequest(anthropic, e.getMessage());
    }
    SimFaults faults = sim.faults();
    if (sim.shouldFail()) {
      return faults.hangs() ? null : failure(faults, anthropic);
    }
    SimAnswer answer = SimRules.answer(conversation);
    if (faults.contextWindow() > 0 && answer.promptTokens() > faults.contextWindow()) {
      int window = faults.contextWindow();
      int tokens = answer.promptTokens();
      return new Reply(
          400,
          anthropic
              ? AnthropicFormat.error(
                  "invalid_request_error",
                  "prompt is too long: " + tokens + " tokens > " + window + " maximum")
              : OpenAiFormat.error(
                  "invalid_request_error",
                  "This model's maximum context length is "
                      + window
                      + " tokens. However, your messages resulted in "
                      + tokens
                      + " tokens. Please reduce the length of the messages.",
                  "context_length_exceeded"));
    }
    long seq = sim.nextSeq();
    if (body.path("stream").asBoolean(false)) {
      int cut;
      try {
        cut = cutAfter(req, faults);
      } catch (SimBadRequest e) {
        return badRequest(anthropic, e.getMessage());
      }
      long created = System.currentTimeMillis() / 1000;
      List<SimStreamEvent> events =
          anthropic
              ? AnthropicStream.events(answer, conversation.model(), seq)
              : OpenAiStream.events(
                  answer,
                  conversation.model(),
                  seq,
                  created,
                  body.path("stream_options").path("include_usage").asBoolean(false));
      return new Reply(200, null, Map.of(), false, events, cut);
    }
    return new Reply(
        200,
        anthropic
            ? AnthropicFormat.render(answer, conversation.model(), seq)
            : OpenAiFormat.render(
                answer, conversation.model(), seq, System.currentTimeMillis() / 1000));
  }

  /** The request's {@value #CUT_HEADER}, else the fault's {@code stream-cut-after}. */
  private static int cutAfter(FullHttpRequest req, SimFaults faults) {
    String header = req.headers().get(CUT_HEADER);
    if (header == null) {
      return faults.streamCutAfter();
    }
    try {
      int n = Integer.parseInt(header.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new SimBadRequest(CUT_HEADER + " must be a number >= 0, not '" + header + "'");
  }

  private static Reply badRequest(boolean anthropic, String message) {
    return new Reply(
        400,
        anthropic
            ? AnthropicFormat.error("invalid_request_error", message)
            : OpenAiFormat.error("invalid_request_error", message, null));
  }

  private static Reply failure(SimFaults faults, boolean anthropic) {
    int status = faults.status();
    String type =
        switch (status) {
          case 429 -> "rate_limit_error";
          case 529 -> "overloaded_error";
          case 503 -> anthropic ? "overloaded_error" : "server_error";
          case 401 -> "authentication_error";
          default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    String message = "simulated failure (HTTP " + status + ")";
    JsonNode body =
        anthropic ? AnthropicFormat.error(type, message) : OpenAiFormat.error(type, message, null);
    if (status == 429 || status == 503) {
      return new Reply(
          status,
          body,
          Map.of(
              "Retry-After",
              String.valueOf(faults.retryAfterS()),
              "retry-after-ms",
              String.valueOf(faults.retryAfterS() * 1000)),
          true);
    }
    return new Reply(status, body, Map.of(), true);
  }

  private static String stripBearer(String header) {
    return header != null && header.startsWith("Bearer ") ? header.substring(7) : header;
  }

  private static JsonNode readJson(FullHttpRequest req) {
    try (ByteBufInputStream in = new ByteBufInputStream(req.content())) {
      JsonNode node = MAPPER.readTree((java.io.InputStream) in);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("the body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage());
    }
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, Reply reply) {
    if (!ctx.channel().isActive()) {
      return;
    }
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(reply.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            Unpooled.wrappedBuffer(bytes));
    resp.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    reply.headers().forEach((k, v) -> resp.headers().set(k, v));
    if (keepAlive) {
      ctx.writeAndFlush(resp);
    } else {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("simulator connection error", cause);
    ctx.close();
  }
}
