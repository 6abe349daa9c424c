package io.sluice.keys;

import java.util.List;

/** Keys for tests. */
final class Keys {
  private Keys() {}

  static VirtualKey of(String id, String secret, String tenant) {
    return new VirtualKey(
        id,
        KeySecrets.sha256Hex(secret),
        tenant,
        "ci",
        List.of("gpt"),
        100L,
        10_000L,
        4,
        5.0,
        "day",
        1_700_000_000_000L,
        null);
  }
}
