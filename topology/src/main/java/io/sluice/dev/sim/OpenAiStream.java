package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An answer as OpenAI streams it: {@code chat.completion.chunk} objects, the first delta with the
 * role, then text pieces or, per tool call, a delta with its index, id and name followed by its
 * arguments in pieces; a last chunk with the finish reason and an empty delta; with {@code
 * stream_options.include_usage} a chunk with empty {@code choices} and the usage; then {@code
 * [DONE]}.
 */
final class OpenAiStream {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OpenAiStream() {}

  static List<SimStreamEvent> events(
      SimAnswer a, String model, long seq, long createdSeconds, boolean includeUsage) {
    String id = "chatcmpl-sim-" + seq;
    List<SimStreamEvent> out = new ArrayList<>();
    String finish;
    if (a.toolCalls().isEmpty()) {
      List<String> pieces = SimStreamEvent.textPieces(a.text());
      if (pieces.isEmpty()) {
        pieces = List.of("");
      }
      for (int i = 0; i < pieces.size(); i++) {
        ObjectNode delta = MAPPER.createObjectNode();
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", pieces.get(i));
        out.add(event(id, model, createdSeconds, delta, null, !pieces.get(i).isEmpty()));
      }
      finish = a.truncated() ? "length" : "stop";
    } else {
      for (int t = 0; t < a.toolCalls().size(); t++) {
        SimConversation.Call c = a.toolCalls().get(t);
        ObjectNode delta = MAPPER.createObjectNode();
        if (t == 0) {
          delta.put("role", "assistant").putNull("content");
        }
        ObjectNode call =
            delta.putArray("tool_calls").addObject().put("index", t).put("id", c.id());
        call.put("type", "function");
        call.putObject("function").put("name", c.name()).put("arguments", "");
        out.add(event(id, model, createdSeconds, delta, null, true));
        for (String piece : SimStreamEvent.argumentPieces(c.argumentsJson())) {
          ObjectNode d = MAPPER.createObjectNode();
          d.putArray("tool_calls")
              .addObject()
              .put("index", t)
              .putObject("function")
              .put("arguments", piece);
          out.add(event(id, model, createdSeconds, d, null, true));
        }
      }
      finish = "tool_calls";
    }
    out.add(event(id, model, createdSeconds, MAPPER.createObjectNode(), finish, false));
    if (includeUsage) {
      ObjectNode usage = header(id, model, createdSeconds);
      usage.putArray("choices");
      usage
          .putObject("usage")
          .put("prompt_tokens", a.promptTokens())
          .put("completion_tokens", a.completionTokens())
          .put("total_tokens", a.promptTokens() + a.completionTokens());
      out.add(new SimStreamEvent(null, usage.toString(), false));
    }
    out.add(new SimStreamEvent(null, "[DONE]", false));
    return out;
  }

  private static SimStreamEvent event(
      String id, String model, long created, ObjectNode delta, String finish, boolean isDelta) {
    ObjectNode root = header(id, model, created);
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    return new SimStreamEvent(null, root.toString(), isDelta);
  }

  private static ObjectNode header(String id, String model, long created) {
    return MAPPER
        .createObjectNode()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
  }
}
