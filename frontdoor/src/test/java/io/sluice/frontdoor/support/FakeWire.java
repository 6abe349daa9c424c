package io.sluice.frontdoor.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.ChatMessage;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.frontdoor.wire.StreamEncoder;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.frontdoor.wire.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trivial {@link WireFormat} for the server's tests: {@code {"model", "messages": [{"role",
 * "content"}], "stream"}} in, {@code {"id", "content"}} out; the real formats are the wire
 * package's and have their own tests.
 */
public final class FakeWire implements WireFormat {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String name;

  public FakeWire(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public WireCall parse(byte[] body) throws WireError {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw WireError.invalid(null, "the body is not JSON");
    }
    if (n == null || !n.hasNonNull("model")) {
      throw WireError.invalid("model", "model is required");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : n.path("messages")) {
      messages.add(
          ChatMessage.newBuilder()
              .setRole(m.path("role").asText())
              .setContent(m.path("content").asText())
              .build());
    }
    return new WireCall(
        n.get("model").asText(),
        messages,
        null,
        List.of(),
        n.path("stream").asBoolean(false),
        false,
        null,
        Map.of());
  }

  @Override
  public byte[] answer(Response r) {
    return bytes(
        JSON.createObjectNode().put("id", r.getRequestId()).put("content", r.getContent()));
  }

  @Override
  public byte[] error(WireError e) {
    var root = JSON.createObjectNode();
    root.putObject("error")
        .put("code", e.code())
        .put("message", e.getMessage())
        .put("param", e.param());
    return bytes(root);
  }

  @Override
  public StreamEncoder stream(WireCall call, String requestId) {
    return new StreamEncoder() {
      @Override
      public byte[] start() {
        return "event: start\n\n".getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] chunk(ResponseChunk c) {
        return ("data: " + c.getDeltaContent() + "\n\n").getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] end(Response r) {
        return "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] fail(WireError error) {
        return ("data: error " + error.code() + "\n\n").getBytes(StandardCharsets.UTF_8);
      }
    };
  }

  private static byte[] bytes(JsonNode n) {
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }
}
