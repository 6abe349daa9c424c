package io.sluice.provider.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.provider.ChatResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's streamed chat completion: {@code chat.completion.chunk} objects whose first choice's
 * {@code delta} carries {@code content} and {@code tool_calls} pieces ({@code index}, then {@code
 * id} and {@code function.name} on a call's first piece, {@code function.arguments} pieces after),
 * a {@code finish_reason} on the last, a {@code usage} object on a chunk with no choices (with
 * {@code stream_options.include_usage}), then {@code data: [DONE]}.
 */
public final class OpenAiStreamReader implements StreamReader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String name;
  private final DeltaListener listener;
  private final StringBuilder content = new StringBuilder();
  private final ToolCallAccumulator tools = new ToolCallAccumulator();
  private boolean sawContent;
  private String finishReason;
  private int promptTokens;
  private int completionTokens;
  private boolean done;

  /**
   * @param name the provider, for error messages
   */
  public OpenAiStreamReader(String name, DeltaListener listener) {
    this.name = name;
    this.listener = listener;
  }

  @Override
  public void onEvent(SseEvent event) throws IOException {
    String data = event.data().trim();
    if (data.equals("[DONE]")) {
      done = true;
      return;
    }
    if (done) {
      throw new IOException(name + " streamed an event after [DONE]");
    }
    JsonNode chunk;
    try {
      chunk = MAPPER.readTree(data);
    } catch (IOException e) {
      throw new IOException(name + " streamed an event that is not JSON: " + e.getMessage(), e);
    }
    if (chunk == null || !chunk.isObject()) {
      throw new IOException(name + " streamed an event that is not a JSON object");
    }
    if (chunk.has("error")) {
      throw new IOException(
          name + " reported an error mid-stream: " + chunk.path("error").path("message").asText());
    }
    JsonNode usage = chunk.path("usage");
    if (usage.isObject()) {
      promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
      completionTokens = usage.path("completion_tokens").asInt(completionTokens);
    }
    JsonNode choice = chunk.path("choices").path(0);
    if (choice.isMissingNode()) {
      return;
    }
    JsonNode delta = choice.path("delta");
    String text = delta.path("content").isTextual() ? delta.path("content").asText() : "";
    if (delta.path("content").isTextual()) {
      sawContent = true;
    }
    List<StreamDelta.ToolDelta> pieces = new ArrayList<>();
    for (JsonNode tc : delta.path("tool_calls")) {
      JsonNode fn = tc.path("function");
      StreamDelta.ToolDelta piece =
          new StreamDelta.ToolDelta(
              tc.path("index").asInt(pieces.size()),
              tc.hasNonNull("id") ? tc.get("id").asText() : null,
              fn.hasNonNull("name") ? fn.get("name").asText() : null,
              fn.path("arguments").isTextual() ? fn.get("arguments").asText() : "");
      tools.add(piece);
      pieces.add(piece);
    }
    if (choice.hasNonNull("finish_reason")) {
      finishReason = choice.get("finish_reason").asText();
    }
    content.append(text);
    StreamDelta d = new StreamDelta(text, List.copyOf(pieces));
    if (!d.isEmpty()) {
      listener.onDelta(d);
    }
  }

  @Override
  public boolean complete() {
    return done;
  }

  @Override
  public ChatResult result() {
    return new ChatResult(
        !sawContent && !tools.isEmpty() ? null : content.toString(),
        tools.calls(false),
        finishReason != null ? finishReason : (tools.isEmpty() ? "stop" : "tool_calls"),
        promptTokens,
        completionTokens);
  }
}
