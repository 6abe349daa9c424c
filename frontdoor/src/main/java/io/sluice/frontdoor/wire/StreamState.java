package io.sluice.frontdoor.wire;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ToolCallDelta;
import io.sluice.events.ToolInvocation;
import java.util.ArrayList;
import java.util.List;

/**
 * What one stream has sent so far, so that the final {@code Response} can complete it: the text
 * streamed, and per tool call its id, name and the arguments streamed. Chunks are taken in index
 * order; a chunk at or below the last index taken (a duplicate) or after the end is dropped.
 */
final class StreamState {
  /** One tool call as streamed: its id and name once known, and the arguments sent. */
  static final class Call {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }

  private final StringBuilder text = new StringBuilder();
  private final List<Call> calls = new ArrayList<>();
  private int lastIndex = -1;
  private boolean ended;

  /** Whether {@code chunk} is new and the stream still open; if so, it is recorded. */
  boolean take(ResponseChunk chunk) {
    if (ended || chunk.getIndex() <= lastIndex) {
      return false;
    }
    lastIndex = chunk.getIndex();
    text.append(chunk.getDeltaContent());
    for (ToolCallDelta d : chunk.getDeltaToolCalls()) {
      Call c = call(d.getIndex());
      if (c.id == null && d.getId() != null) {
        c.id = d.getId();
      }
      if (c.name == null && d.getName() != null) {
        c.name = d.getName();
      }
      c.arguments.append(d.getArgumentsDelta());
    }
    return true;
  }

  /** Ends the stream; false when it had ended already. */
  boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    return true;
  }

  /** The call at {@code index}, created (with the ones before it) when new. */
  Call call(int index) {
    while (calls.size() <= index) {
      calls.add(new Call());
    }
    return calls.get(index);
  }

  boolean hasCall(int index) {
    return index < calls.size();
  }

  int calls() {
    return calls.size();
  }

  /**
   * The text of {@code r}'s content not streamed yet: its suffix beyond what was streamed, or
   * nothing when the streamed text is not its prefix (the content sent cannot be taken back).
   */
  String textRest(Response r) {
    String content = r.getContent() == null ? "" : r.getContent();
    String sent = text.toString();
    return content.startsWith(sent) ? content.substring(sent.length()) : "";
  }

  /** The arguments of {@code t} (call {@code index}) not streamed yet. */
  String argumentsRest(int index, ToolInvocation t) {
    if (!hasCall(index)) {
      return t.getArgumentsJson();
    }
    String sent = calls.get(index).arguments.toString();
    String all = t.getArgumentsJson();
    return all.startsWith(sent) ? all.substring(sent.length()) : "";
  }
}
