package io.sluice.topology;

import io.sluice.events.ChatMessage;
import io.sluice.events.ToolInvocation;
import io.sluice.schema.serde.AvroSize;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A session's stored conversation, bounded in messages and in bytes. A new turn goes at the end;
 * then the oldest messages go until both bounds hold: non-system messages first, system messages
 * only when they alone pass the byte bound. A turn larger than the byte bound on its own is kept
 * out, and the history stays as it was: the request is still answered, and the next request of the
 * session is sent the history without that turn.
 */
final class History {
  /** Encoded bytes per message beside its strings: lengths, union indexes, the tool-call array. */
  private static final int MESSAGE_OVERHEAD = 16;

  private History() {}

  /**
   * The outcome of {@link #append}: whether the turn went in, and how many messages were dropped.
   */
  record Appended(boolean kept, int dropped) {}

  /**
   * Appends {@code turn} to {@code history} (changed in place) and trims it to {@code maxMessages}
   * non-system messages and {@code maxBytes}.
   */
  static Appended append(
      List<ChatMessage> history, List<ChatMessage> turn, int maxMessages, long maxBytes) {
    if (bytes(turn) > maxBytes) {
      return new Appended(false, 0);
    }
    int before = history.size() + turn.size();
    history.addAll(turn);
    long others = history.stream().filter(m -> !isSystem(m)).count();
    for (Iterator<ChatMessage> it = history.iterator(); it.hasNext() && others > maxMessages; ) {
      if (!isSystem(it.next())) {
        it.remove();
        others--;
      }
    }
    long size = bytes(history);
    // by bytes: earlier non-system messages first, then system messages; the turn fits alone
    int older = history.size() - turn.size();
    for (boolean system : new boolean[] {false, true}) {
      for (int i = 0; i < older && size > maxBytes; ) {
        ChatMessage m = history.get(i);
        if (isSystem(m) == system) {
          history.remove(i);
          older--;
          size -= bytes(m);
        } else {
          i++;
        }
      }
    }
    return new Appended(true, before - history.size());
  }

  /** The encoded size of {@code messages}, within a few bytes. */
  static long bytes(List<ChatMessage> messages) {
    long n = 0;
    for (ChatMessage m : messages) {
      n += bytes(m);
    }
    return n;
  }

  static long bytes(ChatMessage m) {
    long n =
        MESSAGE_OVERHEAD
            + AvroSize.utf8Length(m.getRole())
            + AvroSize.utf8Length(m.getContent())
            + AvroSize.utf8Length(m.getToolCallId())
            + AvroSize.utf8Length(m.getName());
    for (ToolInvocation t : m.getToolCalls()) {
      n +=
          MESSAGE_OVERHEAD
              + AvroSize.utf8Length(t.getId())
              + AvroSize.utf8Length(t.getName())
              + AvroSize.utf8Length(t.getArgumentsJson());
    }
    return n;
  }

  /** A mutable copy, since Avro's lists of a decoded record may not be changed. */
  static List<ChatMessage> copy(List<ChatMessage> history) {
    return new ArrayList<>(history);
  }

  private static boolean isSystem(ChatMessage m) {
    return m.getRole().equals("system");
  }
}
