package io.sluice.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Making and checking keys: a key is {@value #PREFIX} and 32 random bytes (SecureRandom, URL-safe
 * Base64), its id 8 other random bytes; only the key's SHA-256 is ever stored.
 */
public final class KeySecrets {
  public static final String PREFIX = "sk-sluice-";

  /** Longest key the door or the header check hashes; a longer one cannot be a key. */
  public static final int MAX_KEY_LENGTH = 512;

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeySecrets() {}

  /** A new key: shown once to whoever creates it, stored nowhere. */
  public static String newKey() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A new key id ({@code key_} and 16 hex digits). */
  public static String newId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return "key_" + HexFormat.of().formatHex(b);
  }

  /** Lower-case hex SHA-256 of {@code key}'s UTF-8 bytes. */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Whether two hex hashes are equal, in time that does not depend on where they differ. */
  public static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
