package io.sluice.guardrails;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The masking of one request: the placeholders it used, each with the original it stands for (for
 * {@link #restore}), and how many values of each type it found. It lives as long as the request's
 * call and is never written anywhere. Not thread-safe: one request, one thread at a time.
 */
public final class Redaction {
  private final PiiScanner scanner;
  private final Placeholders placeholders;
  private final Map<String, String> originals = new HashMap<>();
  private final Map<String, Integer> counts = new TreeMap<>();

  Redaction(PiiScanner scanner, Placeholders placeholders) {
    this.scanner = scanner;
    this.placeholders = placeholders;
  }

  /** {@code text} with every value found replaced by its placeholder; the same text if none. */
  public String mask(String text) {
    List<PiiMatch> found = scanner.scan(text);
    if (found.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + found.size() * 16);
    int at = 0;
    for (PiiMatch m : found) {
      String original = text.substring(m.start(), m.end());
      String p = placeholders.of(m.entity(), m.canonical());
      originals.putIfAbsent(p, original);
      counts.merge(m.entity(), 1, Integer::sum);
      out.append(text, at, m.start()).append(p);
      at = m.end();
    }
    return out.append(text, at, text.length()).toString();
  }

  /** Counts the values in {@code text} without masking it (for {@code block}). */
  void count(String text) {
    for (PiiMatch m : scanner.scan(text)) {
      counts.merge(m.entity(), 1, Integer::sum);
    }
  }

  /** How many values of each entity type were found, by type name (sorted). */
  public Map<String, Integer> counts() {
    return counts;
  }

  public boolean found() {
    return !counts.isEmpty();
  }

  /**
   * {@code text} with this request's placeholders replaced by their originals; placeholders of
   * other requests (earlier turns of a session) stay as they are.
   */
  public String restore(String text) {
    if (text == null || originals.isEmpty() || text.indexOf('[') < 0) {
      return text;
    }
    StringBuilder out = null;
    int at = 0;
    int open = text.indexOf('[');
    while (open >= 0) {
      int close = closing(text, open);
      String original = close < 0 ? null : originals.get(text.substring(open, close + 1));
      if (original != null) {
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, at, open).append(original);
        at = close + 1;
        open = text.indexOf('[', at);
      } else {
        open = text.indexOf('[', open + 1);
      }
    }
    return out == null ? text : out.append(text, at, text.length()).toString();
  }

  /**
   * The ']' of a placeholder opening at {@code open}, looked for no further than one can be long.
   */
  static int closing(String text, int open) {
    int limit = Math.min(text.length(), open + Placeholders.MAX_LENGTH);
    for (int k = open + 1; k < limit; k++) {
      char c = text.charAt(k);
      if (c == ']') {
        return k;
      }
      if (c == '[') {
        return -1;
      }
    }
    return -1;
  }

  /** True when restoring can change anything: some value was masked. */
  public boolean restorable() {
    return !originals.isEmpty();
  }
}
