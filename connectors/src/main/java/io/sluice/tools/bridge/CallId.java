package io.sluice.tools.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.ToolCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The correlation id of a published call carries everything a result needs (request, session, call
 * id, tool, round), so a reply can be turned into a {@code ToolResult} by any bridge, even one that
 * restarted in between.
 */
record CallId(String requestId, String sessionId, String toolCallId, String name, int round) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static CallId of(ToolCall c) {
    return new CallId(
        c.getRequestId(), c.getSessionId(), c.getToolCallId(), c.getName(), c.getRound());
  }

  String encode() {
    String json =
        MAPPER
            .createArrayNode()
            .add(requestId)
            .add(sessionId)
            .add(toolCallId)
            .add(name)
            .add(round)
            .toString();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static CallId decode(String s) {
    try {
      JsonNode a = MAPPER.readTree(Base64.getUrlDecoder().decode(s));
      return new CallId(
          a.get(0).asText(),
          a.get(1).asText(),
          a.get(2).asText(),
          a.get(3).asText(),
          a.get(4).asInt());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a Sluice correlation id: " + s, e);
    }
  }
}
