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
 * Reads an OpenAI Chat Completions body into a {@link WireCall}. {@code developer} messages are
 * system messages; text content parts are joined; other OpenAI parameters Sluice does not model
 * ({@code tool_choice}, {@code response_format}, penalties, ...) travel in {@code params.extra} as
 * JSON text, unchanged. Fields OpenAI does not know are ignored.
 */
final class OpenAiRequestReader {
  /**
   * OpenAI parameters passed through to the provider as they are, in a fixed order (a map built in
   * this order is the same for the same body, so cache keys do not vary).
   */
  static final List<String> PASS_THROUGH =
      List.of(
          "tool_choice",
          "parallel_tool_calls",
          "response_format",
          "frequency_penalty",
          "presence_penalty",
          "logit_bias",
          "logprobs",
          "top_logprobs",
          "service_tier",
          "reasoning_effort",
          "verbosity",
          "prediction",
          "modalities",
          "audio",
          "web_search_options",
          "store",
          "prompt_cache_key",
          "safety_identifier");

  private OpenAiRequestReader() {}

  static WireCall read(byte[] body) throws WireError {
    ObjectNode root = Fields.object(body);
    String model = Fields.requiredString(root, "model", "model");
    JsonNode messages = Fields.requiredArray(root, "messages", "messages");
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      out.add(
          message(Fields.element(messages.get(i), "messages[" + i + "]"), "messages[" + i + "]"));
    }
    Long n = Fields.integer(root, "n", "n");
    if (n != null && n != 1) {
      throw WireError.invalid("n", "n must be 1: Sluice answers with one choice");
    }
    boolean stream = Fields.bool(root, "stream", "stream");
    JsonNode options = Fields.object(root, "stream_options", "stream_options");
    boolean includeUsage =
        options != null && Fields.bool(options, "include_usage", "stream_options.include_usage");
    return new WireCall(
        model,
        out,
        params(root),
        tools(root),
        stream,
        includeUsage,
        Fields.string(root, "user", "user"),
        Fields.stringMap(root, "metadata", "metadata"));
  }

  private static ChatMessage message(JsonNode m, String path) throws WireError {
    String role = Fields.requiredString(m, "role", path + ".role");
    ChatMessage.Builder b = ChatMessage.newBuilder();
    switch (role) {
      case "system", "developer" -> b.setRole("system");
      case "user", "assistant", "tool" -> b.setRole(role);
      default ->
          throw WireError.invalid(
              path + ".role",
              path + ".role '" + role + "' is not one of system, developer, user, assistant, tool");
    }
    b.setContent(content(m, path + ".content"));
    String name = Fields.string(m, "name", path + ".name");
    if (name != null) {
      b.setName(name);
    }
    if (role.equals("tool")) {
      b.setToolCallId(Fields.requiredString(m, "tool_call_id", path + ".tool_call_id"));
    }
    if (role.equals("assistant")) {
      b.setToolCalls(toolCalls(m, path + ".tool_calls"));
    }
    return b.build();
  }

  /** A string, an array of text parts (joined), or null (an assistant turn of tool calls). */
  private static String content(JsonNode m, String path) throws WireError {
    JsonNode c = m.get("content");
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray()) {
      throw WireError.invalid(path, path + " must be a string or an array of content parts");
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < c.size(); j++) {
      String partPath = path + "[" + j + "]";
      JsonNode part = Fields.element(c.get(j), partPath);
      String type = Fields.requiredString(part, "type", partPath + ".type");
      switch (type) {
        case "text" -> text.append(Fields.requiredString(part, "text", partPath + ".text"));
        case "refusal" ->
            text.append(Fields.requiredString(part, "refusal", partPath + ".refusal"));
        default ->
            throw WireError.invalid(
                partPath + ".type",
                partPath + ".type '" + type + "' is not supported: Sluice carries text only");
      }
    }
    return text.toString();
  }

  private static List<ToolInvocation> toolCalls(JsonNode m, String path) throws WireError {
    JsonNode calls = Fields.array(m, "tool_calls", path);
    List<ToolInvocation> out = new ArrayList<>();
    if (calls == null) {
      return out;
    }
    for (int i = 0; i < calls.size(); i++) {
      String p = path + "[" + i + "]";
      JsonNode call = Fields.element(calls.get(i), p);
      String type = Fields.string(call, "type", p + ".type");
      if (type != null && !type.equals("function")) {
        throw WireError.invalid(p + ".type", p + ".type '" + type + "' is not function");
      }
      JsonNode fn = Fields.object(call, "function", p + ".function");
      if (fn == null) {
        throw WireError.invalid(p + ".function", p + ".function is required");
      }
      String args = Fields.string(fn, "arguments", p + ".function.arguments");
      out.add(
          new ToolInvocation(
              Fields.requiredString(call, "id", p + ".id"),
              Fields.requiredString(fn, "name", p + ".function.name"),
              args == null || args.isEmpty() ? "{}" : args));
    }
    return out;
  }

  /** The sampling parameters, or null when the body sets none. */
  private static RequestParams params(JsonNode root) throws WireError {
    RequestParams.Builder p = RequestParams.newBuilder();
    boolean any = false;
    Double temperature = Fields.number(root, "temperature", "temperature");
    if (temperature != null) {
      p.setTemperature(temperature);
      any = true;
    }
    Double topP = Fields.number(root, "top_p", "top_p");
    if (topP != null) {
      p.setTopP(topP);
      any = true;
    }
    Integer maxTokens = Fields.positiveInt(root, "max_completion_tokens", "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = Fields.positiveInt(root, "max_tokens", "max_tokens");
    }
    if (maxTokens != null) {
      p.setMaxTokens(maxTokens);
      any = true;
    }
    List<String> stop = stop(root);
    if (!stop.isEmpty()) {
      p.setStop(stop);
      any = true;
    }
    Long seed = Fields.integer(root, "seed", "seed");
    if (seed != null) {
      p.setSeed(seed);
      any = true;
    }
    Map<String, String> extra = new LinkedHashMap<>();
    for (String key : PASS_THROUGH) {
      if (Fields.present(root, key)) {
        extra.put(key, Fields.text(root.get(key)));
      }
    }
    if (!extra.isEmpty()) {
      p.setExtra(extra);
      any = true;
    }
    return any ? p.build() : null;
  }

  private static List<String> stop(JsonNode root) throws WireError {
    JsonNode s = root.get("stop");
    List<String> out = new ArrayList<>();
    if (s == null || s.isNull()) {
      return out;
    }
    if (s.isTextual()) {
      out.add(s.asText());
      return out;
    }
    if (!s.isArray()) {
      throw WireError.invalid("stop", "stop must be a string or an array of strings");
    }
    for (int i = 0; i < s.size(); i++) {
      if (!s.get(i).isTextual()) {
        throw WireError.invalid("stop", "stop[" + i + "] must be a string");
      }
      out.add(s.get(i).asText());
    }
    return out;
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
      if (type != null && !type.equals("function")) {
        throw WireError.invalid(
            p + ".type", p + ".type '" + type + "' is not supported: only function tools");
      }
      JsonNode fn = Fields.object(tool, "function", p + ".function");
      if (fn == null) {
        throw WireError.invalid(p + ".function", p + ".function is required");
      }
      JsonNode parameters = Fields.object(fn, "parameters", p + ".function.parameters");
      String description = Fields.string(fn, "description", p + ".function.description");
      out.add(
          new ToolSpec(
              Fields.requiredString(fn, "name", p + ".function.name"),
              description == null ? "" : description,
              parameters == null ? "{\"type\":\"object\"}" : Fields.text(parameters)));
    }
    return out;
  }
}
