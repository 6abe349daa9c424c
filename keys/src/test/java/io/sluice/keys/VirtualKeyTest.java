package io.sluice.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualKeyTest {
  private final VirtualKey key = Keys.of("key_1", "sk-sluice-secret", "acme");

  @Test
  void shouldRoundTripThroughJsonWithSnakeCaseFieldsAndNoSecret() {
    // When a key is written and read back
    byte[] json = KeyCodec.encode(key);
    KeyCodec.Decoded back = KeyCodec.decode(json);

    // Then it is the same key, with the contract's field names, and only the hash of the secret
    assertThat(back.key()).isEqualTo(key);
    String text = new String(json, StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "\"max_parallel\":4",
            "\"budget_usd\":5.0",
            "\"budget_period\":\"day\"",
            "\"created_at\":")
        .contains(key.sha256())
        .doesNotContain("sk-sluice-secret")
        .doesNotContain("revoked_at");
  }

  @Test
  void shouldKeepTheFirstRevocationTime() {
    VirtualKey once = key.revoked(10);
    assertThat(once.active()).isFalse();
    assertThat(once.revoked(20).revokedAt()).isEqualTo(10);
    assertThat(KeyCodec.decode(KeyCodec.encode(once)).key().revokedAt()).isEqualTo(10);
  }

  @Test
  void shouldAllowAnyModelWhenNoneAreListed() {
    VirtualKey open = withModels(List.of());
    assertThat(open.allows("anything")).isTrue();
    assertThat(key.allows("gpt")).isTrue();
    assertThat(key.allows("claude")).isFalse();
  }

  @Test
  void shouldRefuseKeysThatBreakABoundNamingTheField() {
    assertThat(withTenant("").problem()).hasValueSatisfying(p -> assertThat(p).contains("tenant"));
    assertThat(withTenant("x".repeat(129)).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("tenant"));
    assertThat(withTenant("a\nb").problem())
        .hasValueSatisfying(p -> assertThat(p).contains("control"));
    assertThat(withModels(Collections.nCopies(65, "m")).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("models"));
    assertThat(limits(0L, null, null).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("rpm"));
    assertThat(limits(null, null, 0).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("max_parallel"));
    assertThat(budget(5.0, null).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("go together"));
    assertThat(budget(5.0, "week").problem())
        .hasValueSatisfying(p -> assertThat(p).contains("day or month"));
    assertThat(budget(-1.0, "day").problem())
        .hasValueSatisfying(p -> assertThat(p).contains("budget_usd"));
    assertThat(key.problem()).isEmpty();
  }

  @Test
  void shouldNotEncodeAnInvalidKey() {
    assertThatThrownBy(() -> KeyCodec.encode(withTenant(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenant");
  }

  @Test
  void shouldDecodeGarbageOversizedOrInvalidValuesAsNoKey() {
    assertThat(KeyCodec.decode("not json".getBytes(StandardCharsets.UTF_8)).key()).isNull();
    assertThat(KeyCodec.decode(new byte[KeyCodec.MAX_BYTES + 1]).problem()).contains("bytes");
    assertThat(
            KeyCodec.decode(
                    "{\"id\":\"k\",\"sha256\":\"abc\",\"tenant\":\"t\",\"created_at\":1}"
                        .getBytes(StandardCharsets.UTF_8))
                .problem())
        .contains("sha256");
  }

  @Test
  void shouldNotPrintItsHash() {
    assertThat(key.toString()).doesNotContain(key.sha256()).contains("key_1", "acme");
  }

  private VirtualKey withTenant(String tenant) {
    return new VirtualKey(
        key.id(), key.sha256(), tenant, null, List.of(), null, null, null, null, null, 1, null);
  }

  private VirtualKey withModels(List<String> models) {
    return new VirtualKey(
        key.id(), key.sha256(), "acme", null, models, null, null, null, null, null, 1, null);
  }

  private VirtualKey limits(Long rpm, Long tpm, Integer parallel) {
    return new VirtualKey(
        key.id(), key.sha256(), "acme", null, List.of(), rpm, tpm, parallel, null, null, 1, null);
  }

  private VirtualKey budget(Double usd, String period) {
    return new VirtualKey(
        key.id(), key.sha256(), "acme", null, List.of(), null, null, null, usd, period, 1, null);
  }
}
