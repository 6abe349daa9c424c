package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Anthropic Messages body into a {@link WireCall} in the canonical (OpenAI-shaped) form:
 * {@code system} becomes a system message first; a user turn's {@code tool_result} blocks become
 * {@code tool} messages (an error result's text is prefixed {@code Error: }, as the canonical
 * message has no error flag) and its text blocks a user message, in their order; an assistant
 * turn's {@code tool_use} blocks become its tool calls. {@code stop_sequences} are the stop list;
 * {@code top_k} and {@code tool_choice} travel in {@code params.extra} unchanged. {@code
 * max_tokens} is required, as Anthropic requires it.
 */
final class AnthropicRequestReader {
  private AnthropicRequestReader() {}

  static WireCall read(byte[] body) throws WireError {
    ObjectNode root = Fields.object(body);
    String model = Fields.requiredString(root, "model", "model");
    Integer maxTokens = Fields.positiveInt(root, "max_tokens", "max_tokens");
    if (maxTokens == null) {
      throw WireError.invalid("max_tokens", "max_tokens is required");
    }
    List<ChatMessage> out = new ArrayList<>();
    String system = system(root);
    if (system != null) {
      out.add(ChatMessage.newBuilder().setRole("system").setContent(system).build());
    }
    JsonNode messages = Fields.requiredArray(root, "messages", "messages");
    for (int i = 0; i < messages.size(); i++) {
      String path = "messages[" + i + "]";
      turn(Fields.element(messages.get(i), path), path, out);
    }
    JsonNode metadata = Fields.object(root, "metadata", "metadata");
    String user = metadata == null ? null : Fields.string(metadata, "user_id", "metadata.user_id");
    return new WireCall(
        model,
        out,
        params(root, maxTokens),
        tools(root),
        Fields.bool(root, "stream", "stream"),
        false,
        user,
        Map.of());
  }

  /** The system prompt: a string or text blocks, joined by blank lines; null when absent. */
  private static String system(JsonNode root) throws WireError {
    JsonNode s = root.get("system");
    if (s == null || s.isNull()) {
      return null;
    }
    if (s.isTextual()) {
      return s.asText();
    }
    if (!s.isArray()) {
      throw WireError.invalid("system", "system must be a string or an array of text blocks");
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      parts.add(textBlock(s.get(i), "system[" + i + "]"));
    }
    return String.join("\n\n", parts);
  }

  private static void turn(JsonNode m, String path, List<ChatMessage> out) throws WireError {
    String role = Fields.requiredString(m, "role", path + ".role");
    if (!role.equals("user") && !role.equals("assistant")) {
      throw WireError.invalid(
          path + ".role", path + ".role '" + role + "' is not one of user, assistant");
    }
    JsonNode content = m.get("content");
    if (content != null && content.isTextual()) {
      out.add(ChatMessage.newBuilder().setRole(role).setContent(content.asText()).build());
      return;
    }
    if (content == null || !content.isArray()) {
      throw WireError.invalid(
          path + ".content", path + ".content must be a string or an array of content blocks");
    }
    if (role.equals("assistant")) {
      out.add(assistant(content, path + ".content"));
    } else {
      user(content, path + ".content", out);
    }
  }

  private static ChatMessage assistant(JsonNode blocks, String path) throws WireError {
    StringBuilder text = new StringBuilder();
    List<ToolInvocation> calls = new ArrayList<>();
    for (int j = 0; j < blocks.size(); j++) {
      String p = path + "[" + j + "]";
      JsonNode block = Fields.element(blocks.get(j), p);
      String type = Fields.requiredString(block, "type", p + ".type");
      switch (type) {
        case "text" -> text.append(Fields.requiredString(block, "text", p + ".text"));
        case "tool_use" -> {
          JsonNode input = Fields.object(block, "input", p + ".input");
          calls.add(
              new ToolInvocation(
                  Fields.requiredString(block, "id", p + ".id"),
                  Fields.requiredString(block, "name", p + ".name"),
                  input == null ? "{}" : Fields.text(input)));
        }
        case "thinking", "redacted_thinking" -> {
          // the model's reasoning of an earlier turn: nothing the canonical form carries
        }
        default -> throw unsupported(p, type);
      }
    }
    return ChatMessage.newBuilder()
        .setRole("assistant")
        .setContent(text.toString())
        .setToolCalls(calls)
        .build();
  }

  private static void user(JsonNode blocks, String path, List<ChatMessage> out) throws WireError {
    StringBuilder text = null;
    for (int j = 0; j < blocks.size(); j++) {
      String p = path + "[" + j + "]";
      JsonNode block = Fields.element(blocks.get(j), p);
      String type = Fields.requiredString(block, "type", p + ".type");
      if (type.equals("text")) {
        text = text == null ? new StringBuilder() : text;
        text.append(Fields.requiredString(block, "text", p + ".text"));
      } else if (type.equals("tool_result")) {
        if (text != null) {
          out.add(userText(text));
          text = null;
        }
        out.add(toolResult(block, p));
      } else {
        throw unsupported(p, type);
      }
    }
    if (text != null) {
      out.add(userText(text));
    }
  }

  private static ChatMessage toolResult(JsonNode block, String p) throws WireError {
    String id = Fields.requiredString(block, "tool_use_id", p + ".tool_use_id");
    JsonNode c = block.get("content");
    String text;
    if (c == null || c.isNull()) {
      text = "";
    } else if (c.isTextual()) {
      text = c.asText();
    } else if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < c.size(); k++) {
        sb.append(textBlock(c.get(k), p + ".content[" + k + "]"));
      }
      text = sb.toString();
    } else {
      throw WireError.invalid(
          p + ".content", p + ".content must be a string or an array of text blocks");
    }
    if (Fields.bool(block, "is_error", p + ".is_error")) {
      text = "Error: " + text;
    }
    return ChatMessage.newBuilder().setRole("tool").setToolCallId(id).setContent(text).build();
  }

  private static String textBlock(JsonNode block, String p) throws WireError {
    Fields.element(block, p);
    String type = Fields.requiredString(block, "type", p + ".type");
    if (!type.equals("text")) {
      throw unsupported(p, type);
    }
    return Fields.requiredString(block, "text", p + ".text");
  }

  private static ChatMessage userText(StringBuilder text) {
    return ChatMessage.newBuilder().setRole("user").setContent(text.toString()).build();
  }

  private static WireError unsupported(String p, String type) {
    return WireError.invalid(
        p + ".type", p + ".type '" + type + "' is not supported: Sluice carries text and tools");
  }

  private static RequestParams params(JsonNode root, int maxTokens) throws WireError {
    RequestParams.Builder p = RequestParams.newBuilder().setMaxTokens(maxTokens);
    Double temperature = Fields.number(root, "temperature", "temperature");
    if (temperature != null) {
      p.setTemperature(temperature);
    }
    Double topP = Fields.number(root, "top_p", "top_p");
    if (topP != null) {
      p.setTopP(topP);
    }
    JsonNode stops = Fields.array(root, "stop_sequences", "stop_sequences");
    if (stops != null) {
      List<String> stop = new ArrayList<>();
      for (int i = 0; i < stops.size(); i++) {
        if (!stops.get(i).isTextual()) {
          throw WireError.invalid("stop_sequences", "stop_sequences[" + i + "] must be a string");
        }
        stop.add(stops.get(i).asText());
      }
      p.setStop(stop);
    }
    Map<String, String> extra = new LinkedHashMap<>();
    if (Fields.integer(root, "top_k", "top_k") != null) {
      extra.put("top_k", Fields.text(root.get("top_k")));
    }
    if (Fields.object(root, "tool_choice", "tool_choice") != null) {
      extra.put("tool_choice", Fields.text(root.get("tool_choice")));
    }
    p.setExtra(extra);
    return p.build();
  }

  private static List<ToolSpec> tools(JsonNode root) throws WireError {
    JsonNode tools = Fields.array(root, "tools", "tools");
    List<ToolSpec> out = new ArrayList<>();
    if (tools == null) {
      return out;
    }
    for (int i = 0; i < tools.size(); i++) {
      String p = "tools[" + i + "]";
      JsonNode tool = Fields.element(tools.get(i), p);
      String type = Fields.string(tool, "type", p + ".type");
      if (type != null && !type.equals("custom")) {
        throw WireError.invalid(
            p + ".type", p + ".type '" + type + "' is not supported: only client tools");
      }
      JsonNode schema = Fields.object(tool, "input_schema", p + ".input_schema");
      if (schema == null) {
        throw WireError.invalid(p + ".input_schema", p + ".input_schema is required");
      }
      String description = Fields.string(tool, "description", p + ".description");
      out.add(
          new ToolSpec(
              Fields.requiredString(tool, "name", p + ".name"),
              description == null ? "" : description,
              Fields.text(schema)));
    }
    return out;
  }
}
