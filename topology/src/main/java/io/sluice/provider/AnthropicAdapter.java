package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import io.sluice.provider.stream.AnthropicStreamReader;
import io.sluice.provider.stream.StreamReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Anthropic's messages API ({@code base_url} ends before {@code /v1/messages}, e.g. {@code
 * https://api.anthropic.com}). Maps the canonical (OpenAI-shaped) conversation to and from it:
 * system messages become the {@code system} prompt, assistant tool calls {@code tool_use} blocks,
 * tool messages {@code tool_result} blocks in a user turn; stop reasons and usage map back to
 * OpenAI's words, so a client cannot tell which provider answered.
 */
public final class AnthropicAdapter implements ProviderAdapter {
  static final String VERSION = "2023-06-01";
  static final int DEFAULT_MAX_TOKENS = 1024;
  private static final ObjectMapper MAPPER = OpenAiAdapter.MAPPER;

  private final String name;
  private final HttpUrl url;
  private final Headers headers;

  public AnthropicAdapter(
      String name, String baseUrl, String apiKey, Map<String, String> extraHeaders) {
    this.name = name;
    this.url = HttpUrl.get(baseUrl).newBuilder().addPathSegments("v1/messages").build();
    Headers.Builder h = new Headers.Builder().set("anthropic-version", VERSION);
    extraHeaders.forEach(h::set);
    if (apiKey != null && !apiKey.isBlank()) {
      h.set("x-api-key", apiKey);
    }
    this.headers = h.build();
  }

  @Override
  public Request toHttp(ChatCall call, boolean stream) {
    ObjectNode body = MAPPER.createObjectNode().put("model", call.providerModel());
    if (stream) {
      body.put("stream", true);
    }
    RequestParams p = call.params();
    body.put(
        "max_tokens",
        p != null && p.getMaxTokens() != null ? p.getMaxTokens() : DEFAULT_MAX_TOKENS);
    List<String> system = new ArrayList<>();
    ArrayNode messages = body.putArray("messages");
    ObjectNode current = null;
    for (ChatMessage m : call.messages()) {
      switch (m.getRole()) {
        case "system" -> system.add(m.getContent());
        case "tool" -> {
          current = turn(messages, current, "user");
          ObjectNode result = blocks(current).addObject().put("type", "tool_result");
          result.put("tool_use_id", m.getToolCallId()).put("content", m.getContent());
        }
        case "assistant" -> {
          current = turn(messages, current, "assistant");
          if (!m.getContent().isEmpty()) {
            blocks(current).addObject().put("type", "text").put("text", m.getContent());
          }
          for (ToolInvocation t : m.getToolCalls()) {
            ObjectNode use = blocks(current).addObject().put("type", "tool_use");
            use.put("id", t.getId()).put("name", t.getName());
            use.set("input", objectOrWrapped(t.getArgumentsJson()));
          }
        }
        default -> {
          current = turn(messages, current, "user");
          blocks(current).addObject().put("type", "text").put("text", m.getContent());
        }
      }
    }
    if (!system.isEmpty()) {
      body.put("system", String.join("\n\n", system));
    }
    if (p != null) {
      if (p.getTemperature() != null) {
        body.put("temperature", p.getTemperature());
      }
      if (p.getTopP() != null) {
        body.put("top_p", p.getTopP());
      }
      if (!p.getStop().isEmpty()) {
        ArrayNode stop = body.putArray("stop_sequences");
        p.getStop().forEach(stop::add);
      }
      p.getExtra().forEach((k, v) -> body.set(k, OpenAiAdapter.parseOrText(v)));
    }
    if (!call.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec t : call.tools()) {
        ObjectNode tool =
            tools.addObject().put("name", t.getName()).put("description", t.getDescription());
        tool.set("input_schema", OpenAiAdapter.parseOrText(t.getParametersJson()));
      }
    }
    return new Request.Builder().url(url).headers(headers).post(new JsonBody(body)).build();
  }

  @Override
  public StreamReader streamReader(StreamReader.DeltaListener out) {
    return new AnthropicStreamReader(name, out);
  }

  /**
   * The open turn of {@code role}, or a new one: Anthropic wants user and assistant to alternate.
   */
  private static ObjectNode turn(ArrayNode messages, ObjectNode current, String role) {
    if (current != null && current.path("role").asText().equals(role)) {
      return current;
    }
    ObjectNode turn = messages.addObject().put("role", role);
    turn.putArray("content");
    return turn;
  }

  private static ArrayNode blocks(ObjectNode turn) {
    return (ArrayNode) turn.get("content");
  }

  private static JsonNode objectOrWrapped(String json) {
    JsonNode node = OpenAiAdapter.parseOrText(json);
    return node.isObject() ? node : MAPPER.createObjectNode().set("value", node);
  }

  @Override
  public ChatResult parse(byte[] body) throws IOException {
    JsonNode root = MAPPER.readTree(body);
    if (!root.path("content").isArray()) {
      throw new IOException(name + " answered without content");
    }
    StringBuilder text = new StringBuilder();
    List<ToolInvocation> calls = new ArrayList<>();
    for (JsonNode block : root.get("content")) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" ->
            calls.add(
                new ToolInvocation(
                    block.path("id").asText(),
                    block.path("name").asText(),
                    block.path("input").toString()));
        default -> {
          // thinking and other blocks carry nothing the canonical form needs
        }
      }
    }
    String finish =
        switch (root.path("stop_reason").asText("end_turn")) {
          case "max_tokens" -> "length";
          case "tool_use" -> "tool_calls";
          case "refusal" -> "content_filter";
          default -> "stop";
        };
    JsonNode usage = root.path("usage");
    return new ChatResult(
        text.length() == 0 && !calls.isEmpty() ? null : text.toString(),
        calls,
        finish,
        usage.path("input_tokens").asInt(0),
        usage.path("output_tokens").asInt(0));
  }

  @Override
  public ProviderFailure failure(int status, Headers headers, String body) {
    JsonNode error = OpenAiAdapter.parseOrText(body).path("error");
    String type = error.path("type").asText("");
    String message =
        error.path("message").asText(body == null ? "" : OpenAiAdapter.abbreviate(body));
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("prompt is too long")
        || lower.contains("context window")
        || lower.contains("too many tokens")) {
      return new ProviderFailure(
          ProviderFailure.Kind.CONTEXT_WINDOW,
          "context_length_exceeded",
          name + " answered HTTP " + status + ": " + message,
          status,
          null);
    }
    if (type.equals("overloaded_error")) {
      return new ProviderFailure(
          ProviderFailure.Kind.RETRIABLE,
          "provider_error",
          name + " is overloaded (HTTP " + status + "): " + message,
          status,
          Failures.retryAfter(headers));
    }
    return Failures.ofStatus(name, status, headers, message);
  }
}
