package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolCallDelta;
import io.sluice.events.ToolInvocation;
import io.sluice.schema.AvroTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Fixtures of the wire tests: bodies from resources, responses, chunks and parsed SSE events. */
final class WireFixtures {
  /** One Server-Sent Event: its name (null when unnamed) and its data. */
  record Event(String name, String data) {
    JsonNode json() {
      try {
        return Fields.MAPPER.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static {
    AvroTrust.install(); // the fixtures build generated records before any wire class loads
  }

  private WireFixtures() {}

  static byte[] resource(String name) {
    try (InputStream in = WireFixtures.class.getResourceAsStream("/wire/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] body(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode json(byte[] bytes) {
    try {
      return Fields.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Response.Builder ok(String content, ToolInvocation... calls) {
    return Response.newBuilder()
        .setRequestId("req-1")
        .setSessionId("req-1")
        .setTenantId("acme")
        .setStatus(ResponseStatus.OK)
        .setModel("gpt-4o-mini")
        .setProvider("sim")
        .setProviderModel("sim-1")
        .setContent(content)
        .setToolCalls(List.of(calls))
        .setFinishReason(calls.length > 0 ? "tool_calls" : "stop")
        .setUsage(new TokenUsage(12, 5, 17))
        .setAttempts(1)
        .setRespondedAt(1_700_000_000_000L);
  }

  static Response failed(ResponseStatus status, String code, String message, String content) {
    return Response.newBuilder()
        .setRequestId("req-1")
        .setSessionId("req-1")
        .setStatus(status)
        .setModel("gpt-4o-mini")
        .setContent(content)
        .setError(new io.sluice.events.ErrorInfo(code, message, false, null, null))
        .build();
  }

  static ResponseChunk text(int index, String delta) {
    return ResponseChunk.newBuilder()
        .setRequestId("req-1")
        .setSessionId("req-1")
        .setIndex(index)
        .setDeltaContent(delta)
        .build();
  }

  static ResponseChunk tool(int index, int call, String id, String name, String args) {
    return ResponseChunk.newBuilder()
        .setRequestId("req-1")
        .setSessionId("req-1")
        .setIndex(index)
        .setDeltaToolCalls(List.of(new ToolCallDelta(call, id, name, args)))
        .build();
  }

  /** The events of an SSE byte stream. */
  static List<Event> events(byte[]... parts) {
    StringBuilder all = new StringBuilder();
    for (byte[] p : parts) {
      all.append(new String(p, StandardCharsets.UTF_8));
    }
    List<Event> out = new ArrayList<>();
    for (String block : all.toString().split("\n\n")) {
      if (block.isBlank()) {
        continue;
      }
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        } else {
          throw new AssertionError("not an SSE line: " + line);
        }
      }
      out.add(new Event(name, data));
    }
    return out;
  }
}
