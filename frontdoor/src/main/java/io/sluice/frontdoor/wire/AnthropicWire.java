package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Response;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolInvocation;

/**
 * Anthropic Messages: bodies read by {@link AnthropicRequestReader}, answers as {@code message}
 * objects (text and {@code tool_use} blocks, the stop reason mapped from OpenAI's finish reasons),
 * errors as {@code {"type": "error", "error": {"type", "message"}}}, streams by {@link
 * AnthropicStreamEncoder}.
 */
public final class AnthropicWire implements WireFormat {
  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public WireCall parse(byte[] body) throws WireError {
    return AnthropicRequestReader.read(body);
  }

  @Override
  public byte[] answer(Response r) {
    ObjectNode root = message(r.getRequestId(), r.getModel());
    ArrayNode content = root.putArray("content");
    String text = r.getContent() == null ? "" : r.getContent();
    if (!text.isEmpty() || r.getToolCalls().isEmpty()) {
      content.addObject().put("type", "text").put("text", text);
    }
    for (ToolInvocation t : r.getToolCalls()) {
      content
          .addObject()
          .put("type", "tool_use")
          .put("id", t.getId())
          .put("name", t.getName())
          .set("input", input(t.getArgumentsJson()));
    }
    root.put("stop_reason", stopReason(r));
    root.putNull("stop_sequence");
    usage(root.putObject("usage"), r.getUsage());
    return Fields.bytes(root);
  }

  @Override
  public byte[] error(WireError error) {
    return Fields.bytes(errorNode(error));
  }

  @Override
  public StreamEncoder stream(WireCall call, String requestId) {
    return new AnthropicStreamEncoder(call, requestId);
  }

  /** Anthropic's error {@code type} for an HTTP status. */
  static String type(int status) {
    return switch (status) {
      case 400, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> "api_error";
    };
  }

  static ObjectNode errorNode(WireError e) {
    ObjectNode root = Fields.MAPPER.createObjectNode().put("type", "error");
    root.putObject("error").put("type", type(e.status())).put("message", e.getMessage());
    return root;
  }

  /** A message with no content yet and no stop reason. */
  static ObjectNode message(String id, String model) {
    return Fields.MAPPER
        .createObjectNode()
        .put("id", id)
        .put("type", "message")
        .put("role", "assistant")
        .put("model", model);
  }

  static void usage(ObjectNode usage, TokenUsage u) {
    usage
        .put("input_tokens", u.getPromptTokens())
        .put("output_tokens", u.getCompletionTokens())
        .putNull("cache_creation_input_tokens")
        .putNull("cache_read_input_tokens");
  }

  /** Anthropic's stop reason for OpenAI's finish reason. */
  static String stopReason(Response r) {
    String finish = OpenAiWire.finishReason(r);
    return switch (finish) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      case "stop_sequence", "pause_turn", "refusal", "end_turn", "max_tokens", "tool_use" -> finish;
      default -> "end_turn";
    };
  }

  /** A tool call's arguments as the {@code input} object (wrapped when not an object). */
  static JsonNode input(String argumentsJson) {
    JsonNode node = Fields.parseOrNull(argumentsJson);
    if (node != null && node.isObject()) {
      return node;
    }
    ObjectNode wrapped = Fields.MAPPER.createObjectNode();
    if (node == null || node.isMissingNode()) {
      wrapped.put("value", argumentsJson == null ? "" : argumentsJson);
    } else {
      wrapped.set("value", node);
    }
    return wrapped;
  }
}
