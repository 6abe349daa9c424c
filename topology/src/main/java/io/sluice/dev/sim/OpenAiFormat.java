package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** OpenAI's chat-completions format, in and out. */
final class OpenAiFormat {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OpenAiFormat() {}

  static SimConversation parse(JsonNode body) {
    if (!body.path("model").isTextual()) {
      throw new SimBadRequest("you must provide a model parameter");
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw new SimBadRequest("'messages' must be a non-empty array");
    }
    List<SimConversation.Turn> turns = new ArrayList<>();
    for (JsonNode m : messages) {
      String role = m.path("role").asText("");
      if (!List.of("system", "developer", "user", "assistant", "tool").contains(role)) {
        throw new SimBadRequest("invalid role '" + role + "' in messages");
      }
      List<SimConversation.Call> calls = new ArrayList<>();
      for (JsonNode tc : m.path("tool_calls")) {
        JsonNode fn = tc.path("function");
        calls.add(
            new SimConversation.Call(
                tc.path("id").asText(),
                fn.path("name").asText(),
                fn.path("arguments").asText("{}")));
      }
      String toolCallId = m.hasNonNull("tool_call_id") ? m.get("tool_call_id").asText() : null;
      turns.add(new SimConversation.Turn(role, text(m.path("content")), calls, toolCallId));
    }
    List<String> tools = new ArrayList<>();
    for (JsonNode t : body.path("tools")) {
      tools.add(t.path("function").path("name").asText());
    }
    Integer maxTokens = null;
    for (String key : List.of("max_completion_tokens", "max_tokens")) {
      if (body.path(key).isInt()) {
        maxTokens = body.get(key).asInt();
      }
    }
    return new SimConversation(body.get("model").asText(), turns, tools, maxTokens);
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      if (part.path("type").asText().equals("text")) {
        sb.append(sb.length() == 0 ? "" : " ").append(part.path("text").asText());
      }
    }
    return sb.toString();
  }

  static ObjectNode render(SimAnswer a, String model, long seq, long createdSeconds) {
    ObjectNode message = MAPPER.createObjectNode().put("role", "assistant");
    String finish;
    if (a.toolCalls().isEmpty()) {
      message.put("content", a.text());
      finish = a.truncated() ? "length" : "stop";
    } else {
      message.putNull("content");
      ArrayNode calls = message.putArray("tool_calls");
      for (SimConversation.Call c : a.toolCalls()) {
        ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
        call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
      }
      finish = "tool_calls";
    }
    ObjectNode root =
        MAPPER
            .createObjectNode()
            .put("id", "chatcmpl-sim-" + seq)
            .put("object", "chat.completion")
            .put("created", createdSeconds)
            .put("model", model);
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    choice.set("message", message);
    choice.putNull("logprobs");
    choice.put("finish_reason", finish);
    root.putObject("usage")
        .put("prompt_tokens", a.promptTokens())
        .put("completion_tokens", a.completionTokens())
        .put("total_tokens", a.promptTokens() + a.completionTokens());
    return root;
  }

  static ObjectNode error(String type, String message, String code) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error").put("message", message).put("type", type);
    error.putNull("param");
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return root;
  }
}
