package io.sluice.provider.stream;

import java.util.List;

/**
 * What one provider event added to the answer: text, pieces of tool calls, or both.
 *
 * @param content text appended to the answer; empty for none
 * @param toolCalls tool-call pieces: the first of a call carries its id and name
 */
public record StreamDelta(String content, List<ToolDelta> toolCalls) {
  /** A piece of tool call {@code index} (from 0, in the order of the answer). */
  public record ToolDelta(int index, String id, String name, String argumentsDelta) {}

  public boolean isEmpty() {
    return content.isEmpty() && toolCalls.isEmpty();
  }
}
