package io.sluice.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The reply body both sides agree on: {@code {"content": "...", "is_error": false}}. */
public final class ToolMessages {
  public static final String REQUEST_ID = "sluice-request-id";
  public static final String SESSION_ID = "sluice-session-id";
  public static final String TOOL_CALL_ID = "sluice-tool-call-id";
  public static final String TOOL = "sluice-tool";
  public static final String ROUND = "sluice-round";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ToolMessages() {}

  /** A tool's answer or its error. */
  public record Reply(String content, boolean isError) {}

  public static byte[] reply(String content, boolean isError) {
    return MAPPER
        .createObjectNode()
        .put("content", content)
        .put("is_error", isError)
        .toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a reply body; a body that is not one becomes an error reply saying so. */
  public static Reply parseReply(byte[] body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n != null && n.has("content")) {
        return new Reply(n.get("content").asText(), n.path("is_error").asBoolean(false));
      }
    } catch (IOException e) {
      // fall through
    }
    return new Reply("the tool worker sent an unreadable reply", true);
  }
}
