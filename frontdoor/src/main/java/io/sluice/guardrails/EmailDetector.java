package io.sluice.guardrails;

import java.util.List;
import java.util.Locale;

/**
 * E-mail addresses: a local part of letters, digits and {@code . _ % + -} (at most 64), {@code @},
 * and a domain of at least two dot-separated labels whose last is two or more letters. It scans
 * outward from each {@code @}, each side bounded, so the cost is linear in the text.
 */
final class EmailDetector implements PiiDetector {
  static final String ENTITY = "email";
  private static final int MAX_LOCAL = 64;
  private static final int MAX_DOMAIN = 253;

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    int from = 0;
    int at;
    while ((at = text.indexOf('@', from)) >= 0) {
      from = at + 1;
      int start = at;
      while (start > 0 && at - start < MAX_LOCAL && local(text.charAt(start - 1))) {
        start--;
      }
      while (start < at && text.charAt(start) == '.') {
        start++;
      }
      if (start == at) {
        continue;
      }
      int end = domainEnd(text, at + 1);
      if (end < 0) {
        continue;
      }
      out.add(
          new PiiMatch(ENTITY, start, end, text.substring(start, end).toLowerCase(Locale.ROOT)));
      from = end;
    }
  }

  /** The end of a valid domain starting at {@code i}, or -1. */
  private static int domainEnd(String s, int i) {
    int end = i;
    int limit = Math.min(s.length(), i + MAX_DOMAIN);
    while (end < limit
        && (Chars.alnum(s.charAt(end)) || s.charAt(end) == '.' || s.charAt(end) == '-')) {
      end++;
    }
    while (end > i && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
      end--;
    }
    // the last label: two or more letters after a dot
    int lastDot = s.lastIndexOf('.', end - 1);
    if (lastDot <= i || end - lastDot - 1 < 2) {
      return -1;
    }
    for (int k = lastDot + 1; k < end; k++) {
      if (!Chars.letter(s.charAt(k))) {
        return -1;
      }
    }
    for (int k = i; k < end; k++) {
      if (s.charAt(k) == '.' && (k == i || s.charAt(k - 1) == '.')) {
        return -1; // an empty label
      }
    }
    return end;
  }

  private static boolean local(char c) {
    return Chars.alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }
}
