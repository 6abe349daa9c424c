package io.sluice.guardrails;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.List;

/**
 * Phone numbers, found by Google's libphonenumber ({@link PhoneNumberUtil#findNumbers}) with
 * leniency {@code VALID}: the number must be a valid number of its region, so dates, prices and
 * order numbers rarely match. Numbers without a {@code +} country code are read as numbers of the
 * default region. Canonical form: E.164.
 */
final class PhoneDetector implements PiiDetector {
  static final String ENTITY = "phone";

  /**
   * A run with fewer digits than this is not looked at: below 7 digits only subscriber numbers of a
   * few small countries' (or short codes) would be missed.
   */
  private static final int MIN_DIGITS = 7;

  private static final java.util.regex.Pattern DATE =
      java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}|\\d{2}[./]\\d{2}[./]\\d{4}");

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String region;

  /** {@code region}: ISO 3166 two-letter code, or {@code ZZ} for "only numbers with a +". */
  PhoneDetector(String region) {
    this.region = region;
  }

  /** True when libphonenumber knows {@code region} (or it is {@code ZZ}). */
  static boolean knownRegion(String region) {
    return "ZZ".equals(region) || UTIL.getSupportedRegions().contains(region);
  }

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    find(text, out, List.of());
  }

  @Override
  public void find(String text, List<PiiMatch> out, List<PiiMatch> taken) {
    // libphonenumber's matcher costs about a millisecond on 2,000 characters of digit-rich prose,
    // so it only sees the runs that can hold a number: digits and the punctuation of phone
    // numbers, with at least MIN_DIGITS digits, and one character of context on each side
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (!Character.isDigit(c) && c != '+' && c != '(') {
        i++;
        continue;
      }
      int start = i;
      int digits = 0;
      int first = -1;
      int last = -1;
      while (i < n && phoneChar(text.charAt(i))) {
        if (Character.isDigit(text.charAt(i))) {
          digits++;
          first = first < 0 ? i : first;
          last = i;
        }
        i++;
      }
      if (digits >= MIN_DIGITS
          && !covered(taken, first, last + 1)
          && !date(text, first, last + 1)) {
        int from = Math.max(0, start - 1);
        int to = Math.min(n, i + 1);
        match(text.substring(from, to), from, out);
      }
    }
  }

  private void match(String candidate, int offset, List<PiiMatch> out) {
    for (PhoneNumberMatch m :
        UTIL.findNumbers(candidate, region, PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
      out.add(
          new PiiMatch(
              ENTITY,
              offset + m.start(),
              offset + m.end(),
              UTIL.format(m.number(), PhoneNumberUtil.PhoneNumberFormat.E164)));
    }
  }

  /** True when one match of {@code taken} covers {@code [from, to)}. */
  private static boolean covered(List<PiiMatch> taken, int from, int to) {
    for (PiiMatch m : taken) {
      if (m.start() <= from && to <= m.end()) {
        return true;
      }
    }
    return false;
  }

  /** A date, not a number: {@code 2026-12-02}, {@code 02.12.2026} or {@code 12/02/2026}. */
  static boolean date(String s, int from, int to) {
    if (to - from != 10) {
      return false;
    }
    return DATE.matcher(s.subSequence(from, to)).matches();
  }

  /** What a written phone number is made of (libphonenumber's punctuation, in ASCII). */
  private static boolean phoneChar(char c) {
    return Character.isDigit(c)
        || c == ' '
        || c == '-'
        || c == '.'
        || c == '('
        || c == ')'
        || c == '/'
        || c == '+'
        || c == '\u00a0';
  }
}
