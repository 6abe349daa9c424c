package io.sluice.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyTableTest {
  private final KeyTable table = new KeyTable();

  @Test
  void shouldFindAKeyByItsIdAndByItsPlaintext() {
    // Given a key in the table
    VirtualKey k = Keys.of("key_1", "sk-sluice-one", "acme");
    table.apply("key_1", k);

    // Then its id and its secret find it, another secret does not
    assertThat(table.byId("key_1")).contains(k);
    assertThat(table.byPlaintext("sk-sluice-one")).contains(k);
    assertThat(table.byPlaintext("sk-sluice-two")).isEmpty();
    assertThat(table.byPlaintext(null)).isEmpty();
    assertThat(table.byPlaintext("x".repeat(KeySecrets.MAX_KEY_LENGTH + 1))).isEmpty();
    assertThat(table.active()).isEqualTo(1);
  }

  @Test
  void shouldReplaceAKeyWholeWhenItsIdIsWrittenAgain() {
    // Given a key, then its revoked copy under the same id
    VirtualKey k = Keys.of("key_1", "sk-sluice-one", "acme");
    table.apply("key_1", k);
    table.apply("key_1", k.revoked(5));

    // Then both lookups see the revocation
    assertThat(table.byId("key_1")).hasValueSatisfying(v -> assertThat(v.active()).isFalse());
    assertThat(table.byPlaintext("sk-sluice-one"))
        .hasValueSatisfying(v -> assertThat(v.active()).isFalse());
    assertThat(table.active()).isZero();
  }

  @Test
  void shouldForgetAKeyOnATombstone() {
    table.apply("key_1", Keys.of("key_1", "sk-sluice-one", "acme"));
    table.apply("key_1", null);
    assertThat(table.byId("key_1")).isEmpty();
    assertThat(table.byPlaintext("sk-sluice-one")).isEmpty();
    assertThat(table.all()).isEmpty();
  }

  @Test
  void shouldListKeysOldestFirst() {
    VirtualKey old = Keys.of("key_b", "s1", "acme");
    VirtualKey young =
        new VirtualKey(
            "key_a",
            KeySecrets.sha256Hex("s2"),
            "acme",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            old.createdAt() + 1,
            null);
    table.apply(young.id(), young);
    table.apply(old.id(), old);
    assertThat(table.all()).containsExactly(old, young);
  }
}
