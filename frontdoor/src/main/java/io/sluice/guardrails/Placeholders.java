package io.sluice.guardrails;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The placeholder of a value: {@code [TYPE_xxxxxxxx]}, the type in upper case and eight hex digits
 * of an HMAC-SHA256 of the type and the value's canonical form under the configured key.
 *
 * <p>This is where "numbering" lives: nowhere. The same value gets the same placeholder in every
 * request, every turn of a session's history, on every instance and after every restart, with no
 * state to keep or lose and none in a topic; two different values collide with a chance of about
 * n²/2³³ among n values of one type. Without the key nobody can tell which value a placeholder
 * stands for, short of guessing the value; so set {@code guardrails.pii.key}.
 */
final class Placeholders {
  /** The longest placeholder: brackets, a type of at most 40 characters, '_' and 8 digits. */
  static final int MAX_LENGTH = 1 + 40 + 1 + 8 + 1;

  private static final HexFormat HEX = HexFormat.of();
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  Placeholders(String key) {
    this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The label of an entity type in placeholders: {@code email} is {@code EMAIL}. */
  static String label(String entity) {
    return entity.toUpperCase(Locale.ROOT);
  }

  String of(String entity, String canonical) {
    Mac mac = macs.get();
    mac.update(entity.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    byte[] digest = mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8));
    return "[" + label(entity) + "_" + HEX.formatHex(digest, 0, 4) + "]";
  }
}
