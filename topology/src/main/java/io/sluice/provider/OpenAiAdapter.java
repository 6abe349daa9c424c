package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import io.sluice.provider.stream.OpenAiStreamReader;
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
 * OpenAI's chat-completions API, and everything that speaks it: OpenAI, Azure-style gateways, vLLM,
 * Ollama's {@code /v1}, the simulator. {@code base_url} ends before {@code /chat/completions} (e.g.
 * {@code https://api.openai.com/v1}).
 */
public final class OpenAiAdapter implements ProviderAdapter {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final String name;
  private final HttpUrl url;
  private final Headers headers;

  public OpenAiAdapter(
      String name, String baseUrl, String apiKey, Map<String, String> extraHeaders) {
    this.name = name;
    HttpUrl base = HttpUrl.get(baseUrl);
    this.url = base.newBuilder().addPathSegments("chat/completions").build();
    Headers.Builder h = new Headers.Builder();
    extraHeaders.forEach(h::set);
    if (apiKey != null && !apiKey.isBlank()) {
      h.set("Authorization", "Bearer " + apiKey);
    }
    this.headers = h.build();
  }

  @Override
  public Request toHttp(ChatCall call, boolean stream) {
    ObjectNode body = MAPPER.createObjectNode().put("model", call.providerModel());
    if (stream) {
      body.put("stream", true).putObject("stream_options").put("include_usage", true);
    }
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : call.messages()) {
      ObjectNode msg = messages.addObject().put("role", m.getRole());
      if (m.getToolCalls().isEmpty() || !m.getContent().isEmpty()) {
        msg.put("content", m.getContent());
      } else {
        msg.putNull("content");
      }
      if (!m.getToolCalls().isEmpty()) {
        ArrayNode calls = msg.putArray("tool_calls");
        for (ToolInvocation t : m.getToolCalls()) {
          ObjectNode c = calls.addObject().put("id", t.getId()).put("type", "function");
          c.putObject("function").put("name", t.getName()).put("arguments", t.getArgumentsJson());
        }
      }
      if (m.getToolCallId() != null) {
        msg.put("tool_call_id", m.getToolCallId());
      }
      if (m.getName() != null && !m.getRole().equals("tool")) {
        msg.put("name", m.getName());
      }
    }
    applyParams(body, call.params());
    if (!call.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec t : call.tools()) {
        ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
        fn.put("name", t.getName()).put("description", t.getDescription());
        fn.set("parameters", parseOrText(t.getParametersJson()));
      }
    }
    return new Request.Builder().url(url).headers(headers).post(new JsonBody(body)).build();
  }

  @Override
  public StreamReader streamReader(StreamReader.DeltaListener out) {
    return new OpenAiStreamReader(name, out);
  }

  static void applyParams(ObjectNode body, RequestParams p) {
    if (p == null) {
      return;
    }
    if (p.getTemperature() != null) {
      body.put("temperature", p.getTemperature());
    }
    if (p.getMaxTokens() != null) {
      body.put("max_tokens", p.getMaxTokens());
    }
    if (p.getTopP() != null) {
      body.put("top_p", p.getTopP());
    }
    if (!p.getStop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      p.getStop().forEach(stop::add);
    }
    if (p.getSeed() != null) {
      body.put("seed", p.getSeed());
    }
    p.getExtra().forEach((k, v) -> body.set(k, parseOrText(v)));
  }

  static JsonNode parseOrText(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      return node != null ? node : MAPPER.getNodeFactory().textNode(json);
    } catch (IOException e) {
      return MAPPER.getNodeFactory().textNode(json);
    }
  }

  @Override
  public ChatResult parse(byte[] body) throws IOException {
    JsonNode root = MAPPER.readTree(body);
    JsonNode choice = root.path("choices").path(0);
    if (choice.isMissingNode()) {
      throw new IOException(name + " answered without choices");
    }
    JsonNode message = choice.path("message");
    List<ToolInvocation> calls = new ArrayList<>();
    for (JsonNode tc : message.path("tool_calls")) {
      JsonNode fn = tc.path("function");
      calls.add(
          new ToolInvocation(
              tc.path("id").asText(), fn.path("name").asText(), fn.path("arguments").asText("{}")));
    }
    JsonNode usage = root.path("usage");
    return new ChatResult(
        message.path("content").isTextual() ? message.path("content").asText() : null,
        calls,
        choice.path("finish_reason").asText(calls.isEmpty() ? "stop" : "tool_calls"),
        usage.path("prompt_tokens").asInt(0),
        usage.path("completion_tokens").asInt(0));
  }

  @Override
  public ProviderFailure failure(int status, Headers headers, String body) {
    JsonNode error = parseOrText(body).path("error");
    String code = error.path("code").asText("");
    String message = error.path("message").asText(body == null ? "" : abbreviate(body));
    String lower = message.toLowerCase(Locale.ROOT);
    if (code.equals("context_length_exceeded")
        || lower.contains("maximum context length")
        || lower.contains("context window")
        || lower.contains("too many tokens")) {
      return new ProviderFailure(
          ProviderFailure.Kind.CONTEXT_WINDOW,
          "context_length_exceeded",
          name + " answered HTTP " + status + ": " + message,
          status,
          null);
    }
    return Failures.ofStatus(name, status, headers, message);
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
