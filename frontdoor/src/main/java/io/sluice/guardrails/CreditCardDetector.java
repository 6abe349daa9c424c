package io.sluice.guardrails;

import java.util.List;

/**
 * Payment card numbers: 13 to 19 digits, in groups separated by single spaces or dashes or none,
 * standing alone (no digit or letter right before or after), whose Luhn checksum holds. When a run
 * of groups is longer, the longest prefix ending at a group boundary that is a valid number is
 * taken. Canonical form: the digits.
 */
final class CreditCardDetector implements PiiDetector {
  static final String ENTITY = "credit_card";
  private static final int MIN = 13;
  private static final int MAX = 19;

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    int n = text.length();
    int i = 0;
    char[] digits = new char[MAX];
    int[] groupEnds = new int[MAX + 1]; // text index after each group
    int[] groupDigits = new int[MAX + 1]; // digits up to the end of each group
    while (i < n) {
      if (!Chars.digit(text.charAt(i)) || !Chars.boundaryBefore(text, i)) {
        i++;
        continue;
      }
      int start = i;
      int count = 0;
      int groups = 0;
      int j = i;
      boolean tooLong = false;
      while (true) {
        while (j < n && Chars.digit(text.charAt(j))) {
          if (count == MAX) {
            tooLong = true;
            break;
          }
          digits[count++] = text.charAt(j++);
        }
        if (tooLong) {
          break; // the group in progress is no candidate; those before it still are
        }
        groupEnds[groups] = j;
        groupDigits[groups++] = count;
        boolean separated =
            j + 1 < n
                && (text.charAt(j) == ' ' || text.charAt(j) == '-')
                && Chars.digit(text.charAt(j + 1));
        if (!separated || count == MAX) {
          break;
        }
        j++;
      }
      // the last group must end the run: no letter or digit stuck to it
      int taken = -1;
      for (int g = groups - 1; g >= 0; g--) {
        int end = groupEnds[g];
        int len = groupDigits[g];
        if (len >= MIN && Chars.boundaryAt(text, end) && luhn(digits, len)) {
          taken = g;
          break;
        }
      }
      if (taken >= 0) {
        out.add(
            new PiiMatch(
                ENTITY, start, groupEnds[taken], new String(digits, 0, groupDigits[taken])));
        i = groupEnds[taken];
      } else {
        // skip the run of digits we are in; later groups of it start their own candidates
        i = start;
        while (i < n && Chars.digit(text.charAt(i))) {
          i++;
        }
      }
    }
  }

  /** The Luhn checksum of the first {@code len} digits. */
  static boolean luhn(char[] digits, int len) {
    int sum = 0;
    boolean twice = false;
    for (int k = len - 1; k >= 0; k--) {
      int d = digits[k] - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }
}
