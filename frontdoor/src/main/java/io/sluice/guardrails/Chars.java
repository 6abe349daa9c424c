package io.sluice.guardrails;

/** Character classes the scanners share (ASCII only: the formats they look for are ASCII). */
final class Chars {
  private Chars() {}

  static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean alnum(char c) {
    return digit(c) || letter(c);
  }

  static boolean hex(char c) {
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** True when the character before {@code i} is not alphanumeric (or there is none). */
  static boolean boundaryBefore(String s, int i) {
    return i == 0 || !alnum(s.charAt(i - 1));
  }

  /** True when the character at {@code i} is not alphanumeric (or there is none). */
  static boolean boundaryAt(String s, int i) {
    return i >= s.length() || !alnum(s.charAt(i));
  }
}
