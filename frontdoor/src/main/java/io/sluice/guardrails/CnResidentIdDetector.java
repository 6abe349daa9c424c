package io.sluice.guardrails;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;

/**
 * Chinese resident identity card numbers (GB 11643-1999): 18 characters standing alone, 17 digits
 * (a region code not starting with 0, the birth date {@code yyyyMMdd}, a sequence number) and an
 * ISO 7064 MOD 11-2 check character ({@code 0-9} or {@code X}). The birth date must be a real date
 * from 1900 to today. Canonical form: upper case.
 */
final class CnResidentIdDetector implements PiiDetector {
  static final String ENTITY = "cn_resident_id";
  private static final int LENGTH = 18;
  private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final String CHECK = "10X98765432";

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    int n = text.length();
    int i = 0;
    while (i + LENGTH <= n) {
      if (!Chars.digit(text.charAt(i)) || !Chars.boundaryBefore(text, i)) {
        i++;
        continue;
      }
      int run = i;
      while (run < n && run - i < LENGTH - 1 && Chars.digit(text.charAt(run))) {
        run++;
      }
      if (run - i == LENGTH - 1 && run < n && Chars.boundaryAt(text, run + 1)) {
        char last = text.charAt(run);
        if ((Chars.digit(last) || last == 'X' || last == 'x') && valid(text, i)) {
          out.add(
              new PiiMatch(
                  ENTITY,
                  i,
                  i + LENGTH,
                  text.substring(i, i + LENGTH).toUpperCase(java.util.Locale.ROOT)));
          i += LENGTH;
          continue;
        }
      }
      // not here: go past this run of digits
      while (i < n && Chars.digit(text.charAt(i))) {
        i++;
      }
    }
  }

  /** The 18 characters at {@code i}: a plausible region, birth date and a right check char. */
  static boolean valid(String s, int i) {
    if (s.charAt(i) == '0') {
      return false;
    }
    int sum = 0;
    for (int k = 0; k < LENGTH - 1; k++) {
      sum += (s.charAt(i + k) - '0') * WEIGHTS[k];
    }
    if (Character.toUpperCase(s.charAt(i + LENGTH - 1)) != CHECK.charAt(sum % 11)) {
      return false;
    }
    int year = number(s, i + 6, 4);
    int month = number(s, i + 10, 2);
    int day = number(s, i + 12, 2);
    try {
      LocalDate birth = LocalDate.of(year, month, day);
      return year >= 1900 && !birth.isAfter(LocalDate.now(java.time.ZoneOffset.UTC));
    } catch (DateTimeException e) {
      return false;
    }
  }

  private static int number(String s, int from, int len) {
    int v = 0;
    for (int k = from; k < from + len; k++) {
      v = v * 10 + (s.charAt(k) - '0');
    }
    return v;
  }
}
