package io.sluice.guardrails;

import java.util.List;
import java.util.Locale;

/**
 * IP addresses: IPv4 in dotted-quad form (four numbers 0-255 without leading zeros) and IPv6 in any
 * RFC 4291 text form (full, {@code ::}-compressed, with an embedded IPv4 tail), standing alone.
 * Canonical form: the text, lower case.
 */
final class IpAddressDetector implements PiiDetector {
  static final String ENTITY = "ip_address";

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      int end = -1;
      if ((Chars.hex(c) || c == ':') && v6Start(text, i)) {
        end = v6End(text, i);
      }
      if (end < 0 && Chars.digit(c) && v4Start(text, i)) {
        end = v4End(text, i);
      }
      if (end > 0) {
        out.add(new PiiMatch(ENTITY, i, end, text.substring(i, end).toLowerCase(Locale.ROOT)));
        i = end;
      } else {
        i++;
      }
    }
  }

  private static boolean v4Start(String s, int i) {
    return i == 0 || (!Chars.alnum(s.charAt(i - 1)) && s.charAt(i - 1) != '.');
  }

  private static boolean v6Start(String s, int i) {
    return i == 0 || (!Chars.alnum(s.charAt(i - 1)) && s.charAt(i - 1) != ':');
  }

  /** The end of a dotted quad at {@code i}, or -1. */
  static int v4End(String s, int i) {
    int j = i;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (j >= s.length() || s.charAt(j) != '.') {
          return -1;
        }
        j++;
      }
      int from = j;
      int value = 0;
      while (j < s.length() && Chars.digit(s.charAt(j)) && j - from < 3) {
        value = value * 10 + (s.charAt(j++) - '0');
      }
      if (j == from || value > 255 || (j - from > 1 && s.charAt(from) == '0')) {
        return -1;
      }
    }
    boolean more =
        j < s.length()
            && (Chars.alnum(s.charAt(j))
                || (s.charAt(j) == '.' && j + 1 < s.length() && Chars.digit(s.charAt(j + 1))));
    return more ? -1 : j;
  }

  /** The end of an IPv6 address at {@code i}, or -1: the longest run of its characters, checked. */
  private static int v6End(String s, int i) {
    int j = i;
    int colons = 0;
    while (j < s.length() && j - i < 45) {
      char c = s.charAt(j);
      if (c == ':') {
        colons++;
      } else if (!Chars.hex(c) && c != '.') {
        break;
      }
      j++;
    }
    if (colons < 2 || (j < s.length() && Chars.alnum(s.charAt(j)))) {
      return -1;
    }
    while (j > i && s.charAt(j - 1) == '.') {
      j--;
    }
    // a single trailing colon is punctuation ("at fe80::1: it"), unless it ends "::"
    if (j > i + 1 && s.charAt(j - 1) == ':' && s.charAt(j - 2) != ':') {
      j--;
    }
    return validV6(s, i, j) ? j : -1;
  }

  static boolean validV6(String s, int from, int to) {
    String a = s.substring(from, to);
    int dc = a.indexOf("::");
    if (dc >= 0 && a.indexOf("::", dc + 1) >= 0) {
      return false;
    }
    int groups = 0;
    String[] halves =
        dc >= 0 ? new String[] {a.substring(0, dc), a.substring(dc + 2)} : new String[] {a};
    for (int h = 0; h < halves.length; h++) {
      String half = halves[h];
      if (half.isEmpty()) {
        continue;
      }
      String[] parts = half.split(":", -1);
      for (int k = 0; k < parts.length; k++) {
        String p = parts[k];
        boolean last = h == halves.length - 1 && k == parts.length - 1;
        if (last && p.indexOf('.') >= 0) {
          if (v4End(p, 0) != p.length()) {
            return false;
          }
          groups += 2;
        } else if (p.isEmpty() || p.length() > 4 || !allHex(p)) {
          return false;
        } else {
          groups++;
        }
      }
    }
    // a compressed form needs two groups: "::" and "::1" say nothing of anyone
    return dc >= 0 ? groups >= 2 && groups <= 7 : groups == 8;
  }

  private static boolean allHex(String p) {
    for (int k = 0; k < p.length(); k++) {
      if (!Chars.hex(p.charAt(k))) {
        return false;
      }
    }
    return true;
  }
}
