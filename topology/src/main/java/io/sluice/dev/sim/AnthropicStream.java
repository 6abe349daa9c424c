package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An answer as Anthropic streams it: {@code message_start}, a {@code ping}, per content block a
 * {@code content_block_start}, its {@code content_block_delta}s ({@code text_delta} pieces, or
 * {@code input_json_delta} pieces of a {@code tool_use} block's input) and a {@code
 * content_block_stop}, then {@code message_delta} with the stop reason and usage, and {@code
 * message_stop}.
 */
final class AnthropicStream {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AnthropicStream() {}

  static List<SimStreamEvent> events(SimAnswer a, String model, long seq) {
    List<SimStreamEvent> out = new ArrayList<>();
    ObjectNode start = MAPPER.createObjectNode().put("type", "message_start");
    ObjectNode message =
        start
            .putObject("message")
            .put("id", "msg_sim_" + seq)
            .put("type", "message")
            .put("role", "assistant")
            .put("model", model);
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    message
        .putObject("usage")
        .put("input_tokens", a.promptTokens())
        .put("output_tokens", Math.min(1, a.completionTokens()));
    out.add(event("message_start", start, false));
    out.add(event("ping", MAPPER.createObjectNode().put("type", "ping"), false));
    String stop;
    if (a.toolCalls().isEmpty()) {
      ObjectNode block = blockStart(0);
      block.putObject("content_block").put("type", "text").put("text", "");
      out.add(event("content_block_start", block, false));
      for (String piece : SimStreamEvent.textPieces(a.text())) {
        ObjectNode d = delta(0);
        d.putObject("delta").put("type", "text_delta").put("text", piece);
        out.add(event("content_block_delta", d, true));
      }
      out.add(event("content_block_stop", blockStop(0), false));
      stop = a.truncated() ? "max_tokens" : "end_turn";
    } else {
      for (int i = 0; i < a.toolCalls().size(); i++) {
        SimConversation.Call c = a.toolCalls().get(i);
        ObjectNode block = blockStart(i);
        ObjectNode use =
            block
                .putObject("content_block")
                .put("type", "tool_use")
                .put("id", c.id())
                .put("name", c.name());
        use.putObject("input");
        out.add(event("content_block_start", block, true));
        for (String piece : SimStreamEvent.argumentPieces(c.argumentsJson())) {
          ObjectNode d = delta(i);
          d.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
          out.add(event("content_block_delta", d, true));
        }
        out.add(event("content_block_stop", blockStop(i), false));
      }
      stop = "tool_use";
    }
    ObjectNode end = MAPPER.createObjectNode().put("type", "message_delta");
    end.putObject("delta").put("stop_reason", stop).putNull("stop_sequence");
    end.putObject("usage").put("output_tokens", a.completionTokens());
    out.add(event("message_delta", end, false));
    out.add(event("message_stop", MAPPER.createObjectNode().put("type", "message_stop"), false));
    return out;
  }

  private static ObjectNode blockStart(int index) {
    return MAPPER.createObjectNode().put("type", "content_block_start").put("index", index);
  }

  private static ObjectNode delta(int index) {
    return MAPPER.createObjectNode().put("type", "content_block_delta").put("index", index);
  }

  private static ObjectNode blockStop(int index) {
    return MAPPER.createObjectNode().put("type", "content_block_stop").put("index", index);
  }

  private static SimStreamEvent event(String type, ObjectNode data, boolean delta) {
    return new SimStreamEvent(type, data.toString(), delta);
  }
}
