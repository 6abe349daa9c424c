package io.sluice.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each detector family on valid and invalid values (checksums, boundaries, formats). */
class DetectorsTest {

  private static List<String> found(PiiDetector d, String text) {
    List<PiiMatch> out = new ArrayList<>();
    d.find(text, out);
    return out.stream().map(m -> text.substring(m.start(), m.end())).toList();
  }

  private static List<String> canonical(PiiDetector d, String text) {
    List<PiiMatch> out = new ArrayList<>();
    d.find(text, out);
    return out.stream().map(PiiMatch::canonical).toList();
  }

  @Test
  void shouldFindEmailAddressesAndNotLookalikes() {
    PiiDetector d = new EmailDetector();
    assertThat(found(d, "write to Alice.Smith+news@Example.co.uk, or bob@mail.example.org."))
        .containsExactly("Alice.Smith+news@Example.co.uk", "bob@mail.example.org");
    assertThat(canonical(d, "Alice@Example.COM")).containsExactly("alice@example.com");
    assertThat(found(d, "@handle, user@localhost, a@b.c, x@.com, 10 @ 5pm, me@host..com"))
        .isEmpty();
  }

  @Test
  void shouldFindPhoneNumbersValidForTheirRegion() {
    PiiDetector us = new PhoneDetector("US");
    assertThat(found(us, "call (415) 555-2671 or +49 30 901820, or +86 138 0013 8000"))
        .containsExactly("(415) 555-2671", "+49 30 901820", "+86 138 0013 8000");
    assertThat(canonical(us, "call (415) 555-2671")).containsExactly("+14155552671");
    // not numbers of any region: too short, a date, an invalid area code
    assertThat(found(us, "order 1234, on 2024-01-02, dial (099) 555-2671")).isEmpty();
    // without a default region only numbers with a country code count
    assertThat(found(new PhoneDetector("ZZ"), "call (415) 555-2671 or +1 415 555 2671"))
        .containsExactly("+1 415 555 2671");
  }

  @Test
  void shouldFindCardNumbersOnlyWhenTheLuhnChecksumHolds() {
    PiiDetector d = new CreditCardDetector();
    assertThat(found(d, "visa 4111 1111 1111 1111, mc 5500-0000-0000-0004, amex 378282246310005"))
        .containsExactly("4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005");
    assertThat(canonical(d, "4111 1111 1111 1111")).containsExactly("4111111111111111");
    // a wrong check digit, too short, inside a longer number or a word
    assertThat(
            found(d, "4111 1111 1111 1112, 411111111111, 94111111111111111123, x4111111111111111"))
        .isEmpty();
  }

  @Test
  void shouldFindIbansOnlyWhenTheMod97ChecksumAndTheCountryLengthHold() {
    PiiDetector d = new IbanDetector();
    assertThat(found(d, "pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432 now"))
        .containsExactly("DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432");
    assertThat(canonical(d, "de89 3704 0044 0532 0130 00"))
        .containsExactly("DE89370400440532013000");
    // one digit off, a country's wrong length, an unknown country
    assertThat(found(d, "DE89 3704 0044 0532 0130 01, DE89370400440532013, QQ89370400440532013000"))
        .isEmpty();
  }

  @Test
  void shouldFindIpv4AndIpv6Addresses() {
    PiiDetector d = new IpAddressDetector();
    assertThat(found(d, "from 192.168.1.20 and 2001:db8::8a2e:370:7334, fe80::1, ::ffff:10.0.0.1."))
        .containsExactly("192.168.1.20", "2001:db8::8a2e:370:7334", "fe80::1", "::ffff:10.0.0.1");
    assertThat(found(d, "2001:0db8:0000:0000:0000:ff00:0042:8329"))
        .containsExactly("2001:0db8:0000:0000:0000:ff00:0042:8329");
    // out of range, a version with five parts, leading zeros, a time, one ::
    assertThat(found(d, "256.1.1.1, 1.2.3.4.5, 01.2.3.4, 12:30:45, a::, 1:2:3:4:5:6:7:8:9"))
        .isEmpty();
  }

  @Test
  void shouldFindChineseResidentIdsOnlyWithTheRightCheckCharAndABirthDate() {
    PiiDetector d = new CnResidentIdDetector();
    assertThat(found(d, "ID 11010519491231002X and 440304199001011233."))
        .containsExactly("11010519491231002X", "440304199001011233");
    assertThat(canonical(d, "11010519491231002x")).containsExactly("11010519491231002X");
    assertThat(
            found(
                d,
                // wrong check char; right check chars but born in month 13, in 2100, in 1899, or
                // a region starting with 0; 19 digits
                "110105194912310021, 110105194913310021, 110105210012310021, 110105189912310023,"
                    + " 010105194912310026, 4403041990010112331"))
        .isEmpty();
  }

  @Test
  void shouldFindCustomPatterns() {
    PiiDetector d = new RegexDetector("employee_id", Pattern.compile("EMP-\\d{6}"));
    assertThat(found(d, "ask EMP-004211 or EMP-12")).containsExactly("EMP-004211");
  }

  @Test
  void shouldResolveOverlapsByDetectorOrderThenPosition() {
    // Given an e-mail whose local part is also a phone number, and a card number
    PiiScanner s =
        new PiiScanner(
            List.of(new EmailDetector(), new CreditCardDetector(), new PhoneDetector("US")));
    String text = "4155552671@example.com paid with 4111111111111111";
    // Then the e-mail wins over the phone inside it, and the card is not a phone either
    assertThat(s.scan(text)).extracting(PiiMatch::entity).containsExactly("email", "credit_card");
  }

  @Test
  void shouldStayLinearOnAdversarialText() {
    // long runs that make naive patterns backtrack: finishes (no timing assertion, just no hang)
    String text =
        "a".repeat(200_000) + "@" + "1".repeat(100_000) + "[".repeat(50_000) + ":".repeat(50_000);
    PiiScanner s = new PiiPolicy(PiiMode.MASK, null, null, false, null, null).compile().scanner();
    assertThat(s.scan(text)).isEmpty();
  }
}
