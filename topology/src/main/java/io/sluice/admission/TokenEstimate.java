package io.sluice.admission;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;

/**
 * The tokens a request is charged at admission, before its usage is known: its prompt, counted as
 * one token per 4 characters (rounded up) plus 4 per message for the role and separators (the usual
 * rule of thumb for English text with GPT-style tokenizers), plus the completion it may produce:
 * its {@code max_tokens}, or the configured default. Only the request's own messages are counted:
 * the session history Sluice prepends (with {@code use_history}) is not known here. The usage of
 * each provider call replaces the estimate with the real count.
 */
public final class TokenEstimate {
  static final int CHARS_PER_TOKEN = 4;
  static final int PER_MESSAGE = 4;

  private TokenEstimate() {}

  /** The estimate of {@code r}: prompt plus reserved completion tokens. */
  public static long of(Request r, int defaultMaxTokens) {
    return prompt(r) + completion(r, defaultMaxTokens);
  }

  /** The prompt tokens counted from the request's messages and tools. */
  static long prompt(Request r) {
    long chars = 0;
    long messages = 0;
    for (ChatMessage m : r.getMessages()) {
      messages++;
      chars += m.getContent().length();
      if (m.getToolCalls() != null) {
        for (ToolInvocation t : m.getToolCalls()) {
          chars += t.getName().length() + t.getArgumentsJson().length();
        }
      }
    }
    if (r.getTools() != null) {
      for (ToolSpec t : r.getTools()) {
        chars +=
            t.getName().length() + t.getDescription().length() + t.getParametersJson().length();
      }
    }
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + PER_MESSAGE * messages;
  }

  /** The completion tokens reserved: {@code max_tokens}, else {@code defaultMaxTokens}. */
  static long completion(Request r, int defaultMaxTokens) {
    Integer max = r.getParams() == null ? null : r.getParams().getMaxTokens();
    return max != null && max > 0 ? max : defaultMaxTokens;
  }
}
