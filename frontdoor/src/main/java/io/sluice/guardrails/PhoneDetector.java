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

  /** Fewer digits than this cannot be a phone number of any region: skip the library. */
  private static final int MIN_DIGITS = 5;

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
    if (!enoughDigits(text)) {
      return;
    }
    for (PhoneNumberMatch m :
        UTIL.findNumbers(text, region, PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
      out.add(
          new PiiMatch(
              ENTITY,
              m.start(),
              m.end(),
              UTIL.format(m.number(), PhoneNumberUtil.PhoneNumberFormat.E164)));
    }
  }

  private static boolean enoughDigits(String text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      if (Chars.digit(text.charAt(i)) && ++n >= MIN_DIGITS) {
        return true;
      }
    }
    return false;
  }
}
