package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import io.sluice.events.ToolCallDelta;
import io.sluice.events.ToolInvocation;
import java.util.List;

/**
 * OpenAI's stream: {@code chat.completion.chunk} events, the first with {@code role: assistant},
 * then content and {@code tool_calls} deltas, then one chunk with the {@code finish_reason} (sent
 * when the {@code Response} arrives, after what it holds beyond the chunks), a usage chunk with no
 * choices when {@code stream_options.include_usage} asked for one, and {@code data: [DONE]}. A
 * failed answer ends with a {@code data: {"error": {...}}} event and no {@code [DONE]}.
 */
final class OpenAiStreamEncoder implements StreamEncoder {
  private final WireCall call;
  private final String id;
  private final StreamState state = new StreamState();
  private long created;

  OpenAiStreamEncoder(WireCall call, String requestId) {
    this.call = call;
    this.id = requestId;
  }

  @Override
  public byte[] start() {
    created = System.currentTimeMillis() / 1000;
    ObjectNode chunk = chunk();
    delta(chunk).put("role", "assistant").put("content", "");
    return new Sse().data(chunk).bytes();
  }

  @Override
  public byte[] chunk(ResponseChunk c) {
    if (!state.take(c)) {
      return Sse.NOTHING;
    }
    Sse sse = new Sse();
    if (!c.getDeltaContent().isEmpty()) {
      ObjectNode chunk = chunk();
      delta(chunk).put("content", c.getDeltaContent());
      sse.data(chunk);
    }
    if (!c.getDeltaToolCalls().isEmpty()) {
      ObjectNode chunk = chunk();
      ArrayNode calls = delta(chunk).putArray("tool_calls");
      for (ToolCallDelta d : c.getDeltaToolCalls()) {
        toolDelta(calls, d.getIndex(), d.getId(), d.getName(), d.getArgumentsDelta());
      }
      sse.data(chunk);
    }
    return sse.bytes();
  }

  @Override
  public byte[] end(Response r) {
    if (!state.end()) {
      return Sse.NOTHING;
    }
    Sse sse = new Sse();
    rest(sse, r);
    if (r.getStatus() != ResponseStatus.OK) {
      return sse.data(OpenAiWire.errorNode(Statuses.of(r))).bytes();
    }
    ObjectNode last = chunk();
    ((ObjectNode) last.get("choices").get(0)).put("finish_reason", OpenAiWire.finishReason(r));
    sse.data(last);
    if (call.includeUsage()) {
      ObjectNode usage = head();
      usage.putArray("choices");
      OpenAiWire.usage(usage, r.getUsage());
      sse.data(usage);
    }
    return sse.raw("[DONE]").bytes();
  }

  @Override
  public byte[] fail(WireError error) {
    if (!state.end()) {
      return Sse.NOTHING;
    }
    return new Sse().data(OpenAiWire.errorNode(error)).bytes();
  }

  /** What {@code r} holds beyond the chunks streamed (all of it when none was). */
  private void rest(Sse sse, Response r) {
    String text = state.textRest(r);
    if (!text.isEmpty()) {
      ObjectNode chunk = chunk();
      delta(chunk).put("content", text);
      sse.data(chunk);
    }
    List<ToolInvocation> tools = r.getToolCalls();
    ObjectNode chunk = chunk();
    ArrayNode calls = delta(chunk).putArray("tool_calls");
    for (int i = 0; i < tools.size(); i++) {
      ToolInvocation t = tools.get(i);
      boolean known = state.hasCall(i) && state.call(i).id != null;
      String args = state.argumentsRest(i, t);
      if (!known) {
        toolDelta(calls, i, t.getId(), t.getName(), args);
      } else if (!args.isEmpty()) {
        toolDelta(calls, i, null, null, args);
      }
    }
    if (!calls.isEmpty()) {
      sse.data(chunk);
    }
  }

  /** A tool-call delta: the first of a call carries id, type and name. */
  private static void toolDelta(ArrayNode calls, int index, String id, String name, String args) {
    ObjectNode d = calls.addObject().put("index", index);
    if (id != null) {
      d.put("id", id).put("type", "function");
    }
    ObjectNode fn = d.putObject("function");
    if (name != null) {
      fn.put("name", name);
    }
    fn.put("arguments", args);
  }

  private ObjectNode head() {
    return OpenAiWire.head(id, "chat.completion.chunk", call.model(), created);
  }

  private ObjectNode chunk() {
    ObjectNode chunk = head();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return chunk;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0).get("delta");
  }
}
