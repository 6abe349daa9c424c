package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Response;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolInvocation;

/**
 * OpenAI Chat Completions: bodies read by {@link OpenAiRequestReader}, answers as {@code
 * chat.completion} objects whose {@code id} is the request id and whose {@code model} is the alias
 * asked for, errors as {@code {"error": {"message", "type", "code", "param"}}}, streams by {@link
 * OpenAiStreamEncoder}.
 */
public final class OpenAiWire implements WireFormat {
  @Override
  public String name() {
    return "openai";
  }

  @Override
  public WireCall parse(byte[] body) throws WireError {
    return OpenAiRequestReader.read(body);
  }

  @Override
  public byte[] answer(Response r) {
    ObjectNode root = head(r.getRequestId(), "chat.completion", r.getModel(), created(r));
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (r.getContent() == null || (r.getContent().isEmpty() && !r.getToolCalls().isEmpty())) {
      message.putNull("content");
    } else {
      message.put("content", r.getContent());
    }
    message.putNull("refusal");
    if (!r.getToolCalls().isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (ToolInvocation t : r.getToolCalls()) {
        ObjectNode c = calls.addObject().put("id", t.getId()).put("type", "function");
        c.putObject("function").put("name", t.getName()).put("arguments", t.getArgumentsJson());
      }
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(r));
    usage(root, r.getUsage());
    return Fields.bytes(root);
  }

  @Override
  public byte[] error(WireError error) {
    return Fields.bytes(errorNode(error));
  }

  @Override
  public StreamEncoder stream(WireCall call, String requestId) {
    return new OpenAiStreamEncoder(call, requestId);
  }

  /** OpenAI's error {@code type} for an HTTP status. */
  static String type(WireError e) {
    return switch (e.status()) {
      case 400, 413, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> e.code().equals("budget_exceeded") ? "insufficient_quota" : "rate_limit_error";
      default -> "api_error";
    };
  }

  static ObjectNode errorNode(WireError e) {
    ObjectNode root = Fields.MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage()).put("type", type(e)).put("code", e.code());
    if (e.param() == null) {
      error.putNull("param");
    } else {
      error.put("param", e.param());
    }
    return root;
  }

  static ObjectNode head(String id, String object, String model, long created) {
    return Fields.MAPPER
        .createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model)
        .putNull("system_fingerprint");
  }

  static void usage(ObjectNode root, TokenUsage u) {
    root.putObject("usage")
        .put("prompt_tokens", u.getPromptTokens())
        .put("completion_tokens", u.getCompletionTokens())
        .put("total_tokens", u.getTotalTokens());
  }

  /** The finish reason, OpenAI's words already: {@code tool_calls} when the answer has calls. */
  static String finishReason(Response r) {
    if (r.getFinishReason() != null) {
      return r.getFinishReason();
    }
    return r.getToolCalls().isEmpty() ? "stop" : "tool_calls";
  }

  /** Seconds since the epoch when the answer was written (0 when it says nothing). */
  static long created(Response r) {
    return r.getRespondedAt() / 1000;
  }
}
