package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.ToolCallDelta;
import io.sluice.events.ToolInvocation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's stream: {@code message_start}; per content block {@code content_block_start}, its
 * deltas ({@code text_delta}, {@code input_json_delta}) and {@code content_block_stop}; then {@code
 * message_delta} (stop reason, usage) and {@code message_stop} once the {@code Response} arrives,
 * after what it holds beyond the chunks. A failed answer ends with {@code event: error}.
 *
 * <p>Blocks are numbered as they open: a text block opens on the first text, a tool-use block on a
 * tool call's first delta, and opening one closes the block open before it.
 */
final class AnthropicStreamEncoder implements StreamEncoder {
  private final WireCall call;
  private final String id;
  private final StreamState state = new StreamState();

  /** The block of each tool call, by its canonical index. */
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();

  /** The length of each tool call's arguments the client has got, by its canonical index. */
  private final Map<Integer, Integer> argumentsSent = new HashMap<>();

  private int blocks;
  private int open = -1;
  private boolean openIsText;

  AnthropicStreamEncoder(WireCall call, String requestId) {
    this.call = call;
    this.id = requestId;
  }

  @Override
  public byte[] start() {
    ObjectNode message = AnthropicWire.message(id, call.model());
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    AnthropicWire.usage(message.putObject("usage"), new TokenUsage(0, 0, 0));
    ObjectNode event = event("message_start");
    event.set("message", message);
    return new Sse().event("message_start", event).bytes();
  }

  @Override
  public byte[] chunk(ResponseChunk c) {
    if (!state.take(c)) {
      return Sse.NOTHING;
    }
    Sse sse = new Sse();
    text(sse, c.getDeltaContent());
    for (ToolCallDelta d : c.getDeltaToolCalls()) {
      StreamState.Call sent = state.call(d.getIndex());
      if (!toolBlocks.containsKey(d.getIndex())) {
        if (sent.id == null) {
          continue; // no id yet: the block opens when it comes, with the arguments so far
        }
        openTool(sse, d.getIndex(), sent.id, sent.name);
      }
      arguments(sse, d.getIndex(), sent.arguments.toString());
    }
    return sse.bytes();
  }

  @Override
  public byte[] end(Response r) {
    if (!state.end()) {
      return Sse.NOTHING;
    }
    Sse sse = new Sse();
    text(sse, state.textRest(r));
    List<ToolInvocation> tools = r.getToolCalls();
    for (int i = 0; i < tools.size(); i++) {
      ToolInvocation t = tools.get(i);
      if (!toolBlocks.containsKey(i)) {
        openTool(sse, i, t.getId(), t.getName());
      }
      arguments(sse, i, t.getArgumentsJson());
    }
    close(sse);
    if (r.getStatus() != ResponseStatus.OK) {
      return sse.event("error", AnthropicWire.errorNode(Statuses.of(r))).bytes();
    }
    ObjectNode delta = event("message_delta");
    delta
        .putObject("delta")
        .put("stop_reason", AnthropicWire.stopReason(r))
        .putNull("stop_sequence");
    AnthropicWire.usage(delta.putObject("usage"), r.getUsage());
    sse.event("message_delta", delta);
    return sse.event("message_stop", event("message_stop")).bytes();
  }

  @Override
  public byte[] fail(WireError error) {
    if (!state.end()) {
      return Sse.NOTHING;
    }
    return new Sse().event("error", AnthropicWire.errorNode(error)).bytes();
  }

  private void text(Sse sse, String text) {
    if (text.isEmpty()) {
      return;
    }
    if (open < 0 || !openIsText) {
      close(sse);
      open = blocks++;
      openIsText = true;
      ObjectNode start = event("content_block_start").put("index", open);
      start.putObject("content_block").put("type", "text").put("text", "");
      sse.event("content_block_start", start);
    }
    ObjectNode delta = event("content_block_delta").put("index", open);
    delta.putObject("delta").put("type", "text_delta").put("text", text);
    sse.event("content_block_delta", delta);
  }

  private void openTool(Sse sse, int toolIndex, String toolId, String name) {
    close(sse);
    open = blocks++;
    openIsText = false;
    toolBlocks.put(toolIndex, open);
    ObjectNode start = event("content_block_start").put("index", open);
    ObjectNode block = start.putObject("content_block").put("type", "tool_use");
    block.put("id", toolId).put("name", name == null ? "" : name).putObject("input");
    sse.event("content_block_start", start);
    argumentsSent.put(toolIndex, 0);
  }

  /**
   * Sends what {@code all} (the call's arguments as known now) holds beyond the length the client
   * got: the streamed arguments are always a prefix of the call's whole arguments.
   */
  private void arguments(Sse sse, int toolIndex, String all) {
    int block = toolBlocks.get(toolIndex);
    int sent = argumentsSent.get(toolIndex);
    if (all.length() <= sent) {
      return;
    }
    String partial = all.substring(sent);
    argumentsSent.put(toolIndex, all.length());
    ObjectNode delta = event("content_block_delta").put("index", block);
    delta.putObject("delta").put("type", "input_json_delta").put("partial_json", partial);
    sse.event("content_block_delta", delta);
  }

  private void close(Sse sse) {
    if (open >= 0) {
      sse.event("content_block_stop", event("content_block_stop").put("index", open));
      open = -1;
    }
  }

  private static ObjectNode event(String type) {
    return Fields.MAPPER.createObjectNode().put("type", type);
  }
}
