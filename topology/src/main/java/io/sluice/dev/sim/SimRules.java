package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's deterministic rules: the same conversation always gets the same answer, in either
 * provider format.
 *
 * <ol>
 *   <li>If the conversation ends with tool results, the answer is {@code Tool results: } followed
 *       by {@code name=content} for each result, joined by {@code "; "}.
 *   <li>Otherwise, if tools are offered and the last user turn names one or more of them (as a
 *       whole word, any case), the answer calls each named tool, in the order offered, with
 *       arguments {@code {"input": X}}, where X is the text after the turn's first colon, or the
 *       whole turn when it has none.
 *   <li>Otherwise the answer is {@code Echo: } followed by the last user turn's text.
 * </ol>
 *
 * Tokens are whitespace-separated words: the prompt counts every turn's words plus 3 per turn; the
 * completion counts the answer's words (or the arguments' words). With a {@code max_tokens} below
 * the completion, the text is cut to that many words and the finish reason is {@code length}.
 */
final class SimRules {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern WORD = Pattern.compile("\\S+");

  private SimRules() {}

  static int words(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    Matcher m = WORD.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static int promptTokens(SimConversation c) {
    int n = 0;
    for (SimConversation.Turn t : c.turns()) {
      n += 3 + words(t.text());
      for (SimConversation.Call call : t.toolCalls()) {
        n += words(call.argumentsJson());
      }
    }
    return n;
  }

  static SimAnswer answer(SimConversation c) {
    int prompt = promptTokens(c);
    List<SimConversation.Turn> turns = c.turns();
    if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals("tool")) {
      return text(toolResultsText(turns), c.maxTokens(), prompt);
    }
    String lastUser = "";
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (turns.get(i).role().equals("user")) {
        lastUser = turns.get(i).text();
        break;
      }
    }
    List<SimConversation.Call> calls = toolCalls(lastUser, c.toolNames());
    if (!calls.isEmpty()) {
      int completion = 0;
      for (SimConversation.Call call : calls) {
        completion += words(call.argumentsJson());
      }
      return new SimAnswer(null, calls, false, prompt, completion);
    }
    return text("Echo: " + lastUser, c.maxTokens(), prompt);
  }

  private static SimAnswer text(String text, Integer maxTokens, int prompt) {
    int completion = words(text);
    if (maxTokens != null && maxTokens >= 0 && completion > maxTokens) {
      Matcher m = WORD.matcher(text);
      int end = 0;
      for (int i = 0; i < maxTokens && m.find(); i++) {
        end = m.end();
      }
      return new SimAnswer(text.substring(0, end), List.of(), true, prompt, maxTokens);
    }
    return new SimAnswer(text, List.of(), false, prompt, completion);
  }

  private static String toolResultsText(List<SimConversation.Turn> turns) {
    Map<String, String> names = new HashMap<>();
    for (SimConversation.Turn t : turns) {
      for (SimConversation.Call call : t.toolCalls()) {
        names.put(call.id(), call.name());
      }
    }
    int start = turns.size();
    while (start > 0 && turns.get(start - 1).role().equals("tool")) {
      start--;
    }
    List<String> parts = new ArrayList<>();
    for (SimConversation.Turn t : turns.subList(start, turns.size())) {
      String name = names.getOrDefault(t.toolCallId(), t.toolCallId());
      parts.add(name + "=" + t.text());
    }
    return "Tool results: " + String.join("; ", parts);
  }

  private static List<SimConversation.Call> toolCalls(String text, List<String> toolNames) {
    List<SimConversation.Call> calls = new ArrayList<>();
    if (toolNames.isEmpty() || text.isEmpty()) {
      return calls;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    int colon = text.indexOf(':');
    String input = colon >= 0 ? text.substring(colon + 1).trim() : text;
    for (String name : toolNames) {
      Pattern p =
          Pattern.compile(
              "(?<![\\w-])" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + "(?![\\w-])");
      if (p.matcher(lower).find()) {
        String args = MAPPER.createObjectNode().put("input", input).toString();
        calls.add(new SimConversation.Call(callId(text, name, calls.size()), name, args));
      }
    }
    return calls;
  }

  static String callId(String text, String name, int index) {
    byte[] bytes = (text + "\u0000" + name + "\u0000" + index).getBytes(StandardCharsets.UTF_8);
    return "call_" + HexFormat.of().formatHex(sha256(bytes), 0, 8);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
