package io.sluice.bench;

import io.sluice.events.ChatMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The earlier turns every bench request carries before its question, as a client that keeps its own
 * conversation sends them: {@code messages} messages, alternately user and assistant, of {@code
 * bytes} ASCII characters each. Built once; every request shares the same list, so only the
 * question makes two requests differ.
 */
public record History(int messages, int bytes) {
  /** No earlier turns. */
  public static final History NONE = new History(0, 0);

  public History {
    if (messages < 0 || bytes < 0) {
      throw new IllegalArgumentException("--history and --history-bytes must be >= 0");
    }
    if (messages > 0 && bytes < 1) {
      throw new IllegalArgumentException("--history-bytes must be >= 1 with --history");
    }
  }

  /** The earlier turns, oldest first (an immutable list). */
  public List<ChatMessage> turns() {
    List<ChatMessage> turns = new ArrayList<>(messages);
    for (int i = 0; i < messages; i++) {
      String role = i % 2 == 0 ? "user" : "assistant";
      turns.add(new ChatMessage(role, text(i), null, null, List.of()));
    }
    return Collections.unmodifiableList(turns);
  }

  /** Text of exactly {@code bytes} ASCII characters, numbered so turns differ. */
  private String text(int i) {
    String head = "Turn " + i + ": ";
    StringBuilder sb = new StringBuilder(bytes);
    sb.append(head, 0, Math.min(head.length(), bytes));
    while (sb.length() < bytes) {
      sb.append((char) ('a' + sb.length() % 26));
    }
    return sb.toString();
  }
}
