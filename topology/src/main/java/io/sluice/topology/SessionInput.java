package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.ToolResult;
import io.sluice.internal.Completion;

/** The session processor's inputs, keyed by session_id. */
sealed interface SessionInput {
  /** An accepted request. */
  record RequestIn(Request request) implements SessionInput {}

  /** A dispatcher's outcome, back through the completions topic. */
  record CompletionIn(Completion completion) implements SessionInput {}

  /** A tool's result, from the tool bridge. */
  record ToolResultIn(ToolResult result) implements SessionInput {}
}
