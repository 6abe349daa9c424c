package io.sluice.dev.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Server-Sent Event of a streamed answer.
 *
 * @param event the {@code event:} field, or null for none (OpenAI)
 * @param data the {@code data:} payload, one line
 * @param delta whether it carries a piece of the answer (text or tool call): {@code
 *     stream-cut-after} counts these
 */
record SimStreamEvent(String event, String data, boolean delta) {
  /** Words per text piece of a streamed answer. */
  static final int WORDS_PER_PIECE = 3;

  /** Characters per piece of a tool call's arguments. */
  static final int ARGUMENT_PIECE = 12;

  private static final Pattern WORD = Pattern.compile("\\s*\\S+\\s*");

  /** The event as written on the wire. */
  String wire() {
    return (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
  }

  /** {@code text} cut into pieces of a few words whose concatenation is {@code text}. */
  static List<String> textPieces(String text) {
    List<String> pieces = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return pieces;
    }
    Matcher m = WORD.matcher(text);
    int start = 0;
    int words = 0;
    int end = 0;
    while (m.find()) {
      end = m.end();
      if (++words == WORDS_PER_PIECE) {
        pieces.add(text.substring(start, end));
        start = end;
        words = 0;
      }
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  /** {@code json} cut into pieces of {@link #ARGUMENT_PIECE} characters. */
  static List<String> argumentPieces(String json) {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < json.length(); i += ARGUMENT_PIECE) {
      pieces.add(json.substring(i, Math.min(json.length(), i + ARGUMENT_PIECE)));
    }
    return pieces;
  }
}
