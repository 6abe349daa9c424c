package io.sluice.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySecretsTest {
  @Test
  void shouldMakeLongRandomKeysWithThePrefix() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String k = KeySecrets.newKey();
      assertThat(k).startsWith("sk-sluice-").matches("sk-sluice-[A-Za-z0-9_-]{43}");
      keys.add(k);
    }
    assertThat(keys).hasSize(100);
  }

  @Test
  void shouldMakeIdsThatAreNotTheKey() {
    String id = KeySecrets.newId();
    assertThat(id).matches("key_[0-9a-f]{16}");
    assertThat(KeySecrets.newId()).isNotEqualTo(id);
  }

  @Test
  void shouldHashAsLowerCaseSha256HexOfUtf8() {
    // echo -n abc | sha256sum
    assertThat(KeySecrets.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void shouldCompareHashesExactly() {
    String a = KeySecrets.sha256Hex("a");
    assertThat(KeySecrets.sameHash(a, KeySecrets.sha256Hex("a"))).isTrue();
    assertThat(KeySecrets.sameHash(a, KeySecrets.sha256Hex("b"))).isFalse();
    assertThat(KeySecrets.sameHash(a, a.substring(1))).isFalse();
  }
}
