package io.sluice.guardrails;

import java.util.List;

/**
 * IBANs: a country code of the IBAN registry, two check digits and the country's length of letters
 * and digits, written together or in groups separated by single spaces, standing alone, whose ISO
 * 7064 mod-97 checksum holds (the rearranged number is 1 modulo 97). Canonical form: upper case
 * without spaces.
 */
final class IbanDetector implements PiiDetector {
  static final String ENTITY = "iban";

  /** The IBAN length of each country of the registry, by its two letters (0: none). */
  private static final int[] LENGTHS = lengths();

  @Override
  public String entity() {
    return ENTITY;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    int n = text.length();
    for (int i = 0; i + 15 <= n; i++) {
      char a = text.charAt(i);
      if (!Chars.letter(a) || !Chars.boundaryBefore(text, i) || !Chars.letter(text.charAt(i + 1))) {
        continue;
      }
      int len = LENGTHS[index(a) * 26 + index(text.charAt(i + 1))];
      if (len == 0 || !Chars.digit(text.charAt(i + 2)) || !Chars.digit(text.charAt(i + 3))) {
        continue;
      }
      StringBuilder iban = new StringBuilder(len);
      int j = i;
      while (j < n && iban.length() < len) {
        char c = text.charAt(j);
        if (Chars.alnum(c)) {
          iban.append(Character.toUpperCase(c));
          j++;
        } else if (c == ' ' && j + 1 < n && Chars.alnum(text.charAt(j + 1)) && iban.length() > 0) {
          j++;
        } else {
          break;
        }
      }
      if (iban.length() == len && Chars.boundaryAt(text, j) && mod97(iban) == 1) {
        out.add(new PiiMatch(ENTITY, i, j, iban.toString()));
        i = j - 1;
      }
    }
  }

  /**
   * The IBAN's remainder modulo 97, its first four characters moved to the end, letters as 10-35.
   */
  static int mod97(CharSequence iban) {
    int r = 0;
    int len = iban.length();
    for (int k = 0; k < len; k++) {
      char c = iban.charAt((k + 4) % len);
      if (Chars.digit(c)) {
        r = (r * 10 + (c - '0')) % 97;
      } else if (c >= 'A' && c <= 'Z') {
        r = (r * 100 + (c - 'A' + 10)) % 97;
      } else {
        return -1;
      }
    }
    return r;
  }

  private static int index(char letter) {
    return Character.toUpperCase(letter) - 'A';
  }

  private static int[] lengths() {
    String table =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18"
            + " DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22"
            + " IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22"
            + " MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24"
            + " SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";
    int[] m = new int[26 * 26];
    for (String e : table.split(" ")) {
      m[index(e.charAt(0)) * 26 + index(e.charAt(1))] = Integer.parseInt(e.substring(2));
    }
    return m;
  }
}
