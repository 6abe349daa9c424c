package io.sluice.guardrails;

/**
 * One piece of personal data found in a text: its entity type, where it is ({@code [start, end)})
 * and its canonical form (the same value written differently, such as a card number with or without
 * spaces, has one canonical form and so one placeholder).
 */
public record PiiMatch(String entity, int start, int end, String canonical) {
  public PiiMatch {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("empty or negative range [" + start + ", " + end + ")");
    }
  }

  boolean overlaps(PiiMatch o) {
    return start < o.end && o.start < end;
  }
}
