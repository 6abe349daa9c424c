package io.sluice.dev.sim;

import java.util.List;

/**
 * A chat request as the simulator sees it, whatever the wire format: the turns, the names of the
 * tools offered, and the completion budget.
 */
record SimConversation(String model, List<Turn> turns, List<String> toolNames, Integer maxTokens) {

  /** One message; {@code toolCalls} on assistant turns, {@code toolCallId} on tool results. */
  record Turn(String role, String text, List<Call> toolCalls, String toolCallId) {}

  /** A tool call: id, tool name and arguments as JSON text. */
  record Call(String id, String name, String argumentsJson) {}
}
