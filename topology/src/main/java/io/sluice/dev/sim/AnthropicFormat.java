package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Anthropic's messages format, in and out. */
final class AnthropicFormat {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AnthropicFormat() {}

  static SimConversation parse(JsonNode body) {
    if (!body.path("model").isTextual()) {
      throw new SimBadRequest("model: Field required");
    }
    if (!body.path("max_tokens").isInt()) {
      throw new SimBadRequest("max_tokens: Field required");
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw new SimBadRequest("messages: at least one message is required");
    }
    List<SimConversation.Turn> turns = new ArrayList<>();
    JsonNode system = body.path("system");
    if (!system.isMissingNode() && !system.isNull()) {
      turns.add(new SimConversation.Turn("system", blocksText(system), List.of(), null));
    }
    for (JsonNode m : messages) {
      String role = m.path("role").asText("");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw new SimBadRequest("messages: role must be user or assistant, not '" + role + "'");
      }
      JsonNode content = m.path("content");
      if (content.isTextual()) {
        turns.add(new SimConversation.Turn(role, content.asText(), List.of(), null));
        continue;
      }
      List<SimConversation.Call> calls = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (JsonNode block : content) {
        switch (block.path("type").asText()) {
          case "text" ->
              text.append(text.length() == 0 ? "" : " ").append(block.path("text").asText());
          case "tool_use" ->
              calls.add(
                  new SimConversation.Call(
                      block.path("id").asText(),
                      block.path("name").asText(),
                      block.path("input").toString()));
          case "tool_result" ->
              turns.add(
                  new SimConversation.Turn(
                      "tool",
                      blocksText(block.path("content")),
                      List.of(),
                      block.path("tool_use_id").asText()));
          default -> throw new SimBadRequest("unsupported content block " + block.path("type"));
        }
      }
      if (text.length() > 0 || !calls.isEmpty()) {
        turns.add(new SimConversation.Turn(role, text.toString(), calls, null));
      }
    }
    List<String> tools = new ArrayList<>();
    for (JsonNode t : body.path("tools")) {
      tools.add(t.path("name").asText());
    }
    return new SimConversation(
        body.get("model").asText(), turns, tools, body.get("max_tokens").asInt());
  }

  private static String blocksText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode block : content) {
      if (block.path("type").asText().equals("text")) {
        sb.append(sb.length() == 0 ? "" : " ").append(block.path("text").asText());
      }
    }
    return sb.toString();
  }

  static ObjectNode render(SimAnswer a, String model, long seq) {
    ObjectNode root =
        MAPPER
            .createObjectNode()
            .put("id", "msg_sim_" + seq)
            .put("type", "message")
            .put("role", "assistant")
            .put("model", model);
    ArrayNode content = root.putArray("content");
    String stop;
    if (a.toolCalls().isEmpty()) {
      content.addObject().put("type", "text").put("text", a.text());
      stop = a.truncated() ? "max_tokens" : "end_turn";
    } else {
      for (SimConversation.Call c : a.toolCalls()) {
        ObjectNode block =
            content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name());
        block.set("input", parseJson(c.argumentsJson()));
      }
      stop = "tool_use";
    }
    root.put("stop_reason", stop);
    root.putNull("stop_sequence");
    root.putObject("usage")
        .put("input_tokens", a.promptTokens())
        .put("output_tokens", a.completionTokens());
    return root;
  }

  private static JsonNode parseJson(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode error(String type, String message) {
    ObjectNode root = MAPPER.createObjectNode().put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    return root;
  }
}
