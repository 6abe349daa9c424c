package io.sluice.provider.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.provider.ChatResult;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's streamed message: {@code message_start} (input tokens), per content block a {@code
 * content_block_start} ({@code text} or {@code tool_use} with id and name), {@code
 * content_block_delta}s ({@code text_delta}, {@code input_json_delta}) and a {@code
 * content_block_stop}, then {@code message_delta} (stop reason, output tokens) and {@code
 * message_stop}; {@code ping} events are ignored, an {@code error} event fails the stream. Stop
 * reasons map to OpenAI's words, as {@link io.sluice.provider.AnthropicAdapter} does.
 */
public final class AnthropicStreamReader implements StreamReader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String name;
  private final DeltaListener listener;
  private final StringBuilder content = new StringBuilder();
  private final ToolCallAccumulator tools = new ToolCallAccumulator();
  private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
  private String stopReason;
  private int inputTokens;
  private int outputTokens;
  private boolean done;

  /**
   * @param name the provider, for error messages
   */
  public AnthropicStreamReader(String name, DeltaListener listener) {
    this.name = name;
    this.listener = listener;
  }

  @Override
  public void onEvent(SseEvent event) throws IOException {
    JsonNode data;
    try {
      data = MAPPER.readTree(event.data());
    } catch (IOException e) {
      throw new IOException(name + " streamed an event that is not JSON: " + e.getMessage(), e);
    }
    if (data == null || !data.isObject()) {
      throw new IOException(name + " streamed an event that is not a JSON object");
    }
    String type = event.type().equals("message") ? data.path("type").asText() : event.type();
    switch (type) {
      case "message_start" -> usage(data.path("message").path("usage"));
      case "content_block_start" -> blockStart(data);
      case "content_block_delta" -> blockDelta(data);
      case "message_delta" -> {
        if (data.path("delta").hasNonNull("stop_reason")) {
          stopReason = data.path("delta").get("stop_reason").asText();
        }
        usage(data.path("usage"));
      }
      case "message_stop" -> done = true;
      case "error" ->
          throw new IOException(
              name
                  + " reported an error mid-stream: "
                  + data.path("error").path("type").asText()
                  + ": "
                  + data.path("error").path("message").asText());
      default -> {
        // ping, content_block_stop and events added later carry nothing the answer needs
      }
    }
  }

  private void usage(JsonNode usage) {
    if (usage.isObject()) {
      inputTokens = usage.path("input_tokens").asInt(inputTokens);
      outputTokens = usage.path("output_tokens").asInt(outputTokens);
    }
  }

  private void blockStart(JsonNode data) {
    JsonNode block = data.path("content_block");
    int blockIndex = data.path("index").asInt();
    switch (block.path("type").asText()) {
      case "text" -> text(block.path("text").asText(""));
      case "tool_use" -> {
        int index = toolIndexByBlock.size();
        toolIndexByBlock.put(blockIndex, index);
        tool(
            new StreamDelta.ToolDelta(
                index, block.path("id").asText(), block.path("name").asText(), ""));
      }
      default -> {
        // thinking and other blocks carry nothing the canonical form needs
      }
    }
  }

  private void blockDelta(JsonNode data) {
    JsonNode delta = data.path("delta");
    switch (delta.path("type").asText()) {
      case "text_delta" -> text(delta.path("text").asText(""));
      case "input_json_delta" -> {
        Integer index = toolIndexByBlock.get(data.path("index").asInt());
        String piece = delta.path("partial_json").asText("");
        if (index != null && !piece.isEmpty()) {
          tool(new StreamDelta.ToolDelta(index, null, null, piece));
        }
      }
      default -> {
        // thinking and signature deltas
      }
    }
  }

  private void text(String text) {
    if (!text.isEmpty()) {
      content.append(text);
      listener.onDelta(new StreamDelta(text, List.of()));
    }
  }

  private void tool(StreamDelta.ToolDelta piece) {
    tools.add(piece);
    listener.onDelta(new StreamDelta("", List.of(piece)));
  }

  @Override
  public boolean complete() {
    return done;
  }

  @Override
  public ChatResult result() {
    String finish =
        switch (stopReason == null ? "end_turn" : stopReason) {
          case "max_tokens" -> "length";
          case "tool_use" -> "tool_calls";
          case "refusal" -> "content_filter";
          default -> "stop";
        };
    return new ChatResult(
        content.length() == 0 && !tools.isEmpty() ? null : content.toString(),
        tools.calls(true),
        finish,
        inputTokens,
        outputTokens);
  }
}
