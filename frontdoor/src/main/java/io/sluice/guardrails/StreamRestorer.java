package io.sluice.guardrails;

/**
 * Restores placeholders in an answer that arrives in pieces: a placeholder may be split between two
 * chunks, so the tail of a piece that could still become one (from an unclosed {@code [}, at most a
 * placeholder's length) is held back until the next piece or {@link #finish}. Not thread-safe.
 */
public final class StreamRestorer {
  private final Redaction redaction;
  private String held = "";

  public StreamRestorer(Redaction redaction) {
    this.redaction = redaction;
  }

  /** The restored text that can be sent now for {@code piece} (maybe empty). */
  public String next(String piece) {
    String text = held + (piece == null ? "" : piece);
    int open = text.lastIndexOf('[');
    int cut = text.length();
    if (open >= 0
        && text.indexOf(']', open) < 0
        && text.length() - open < Placeholders.MAX_LENGTH) {
      cut = open;
    }
    held = text.substring(cut);
    return redaction.restore(text.substring(0, cut));
  }

  /** What is still held back, restored: the end of the answer. */
  public String finish() {
    String rest = held;
    held = "";
    return redaction.restore(rest);
  }
}
