package io.sluice.schema.testing;

import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolResult;
import io.sluice.events.ToolSpec;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of every event type, for round-trip tests. */
public final class SampleEvents {
  private SampleEvents() {}

  public static Request request() {
    return Request.newBuilder()
        .setRequestId("r-1")
        .setSessionId("s-1")
        .setTenantId("acme")
        .setModel("gpt-4o-mini")
        .setMessages(
            List.of(
                new ChatMessage("system", "be brief", null, null, List.of()),
                new ChatMessage("user", "what is 2+2?", null, null, List.of()),
                new ChatMessage(
                    "assistant", "", null, null, List.of(new ToolInvocation("c1", "calc", "{}"))),
                new ChatMessage("tool", "4", "c1", "calc", List.of())))
        .setParams(new RequestParams(0.0, 64, 1.0, List.of("\n\n"), 7L, Map.of("user", "\"u\"")))
        .setTools(List.of(new ToolSpec("calc", "adds", "{\"type\":\"object\"}")))
        .setPriority(9)
        .setCache(CacheMode.BYPASS)
        .setTimeoutMs(30_000L)
        .setUseHistory(false)
        .setMetadata(Map.of("team", "search"))
        .setCreatedAt(Instant.ofEpochMilli(1_764_000_000_000L))
        .build();
  }

  public static Response response() {
    return Response.newBuilder()
        .setRequestId("r-1")
        .setSessionId("s-1")
        .setTenantId("acme")
        .setStatus(ResponseStatus.ERROR)
        .setModel("gpt-4o-mini")
        .setProvider("openai-main")
        .setProviderModel("gpt-4o-mini-2024")
        .setContent(null)
        .setToolCalls(List.of(new ToolInvocation("c2", "clock", "{\"tz\":\"UTC\"}")))
        .setFinishReason("tool_calls")
        .setUsage(new TokenUsage(10, 5, 15))
        .setCostUsd(0.0001)
        .setCacheHit(false)
        .setAttempts(3)
        .setLatencyMs(120L)
        .setError(new ErrorInfo("timeout", "deadline passed", true, 504, null))
        .setTraceId("0af7651916cd43dd8448eb211c80319c")
        .setRespondedAt(1_764_000_000_120L)
        .build();
  }

  public static TraceSpan traceSpan() {
    return new TraceSpan(
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
        "00f067aa0ba902b7",
        "r-1",
        "s-1",
        "acme",
        "provider.call",
        1_764_000_000_000L,
        1_764_000_000_100L,
        "OK",
        Map.of("provider", "openai-main", "attempt", "1"));
  }

  public static Usage usage() {
    return new Usage(
        "acme",
        "r-1",
        "openai-main",
        "gpt-4o-mini",
        "gpt-4o-mini-2024",
        10,
        5,
        0.0001,
        false,
        1_764_000_000_100L);
  }

  public static ToolCall toolCall() {
    return new ToolCall("r-1", "s-1", "c1", "calc", "{\"a\":1}", 2, 1_764_000_010_000L, "abc");
  }

  public static ToolResult toolResult() {
    return new ToolResult("r-1", "s-1", "c1", "calc", "4", false, 2);
  }

  public static List<SpecificRecord> all() {
    return List.of(request(), response(), traceSpan(), usage(), toolCall(), toolResult());
  }
}
