package io.sluice.frontdoor.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.keys.KeySecrets;
import io.sluice.keys.KeyTable;
import io.sluice.keys.VirtualKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualKeyAuthenticatorTest {
  private static final String SECRET = "sk-sluice-virtual";

  private final KeyTable table = new KeyTable();
  private final VirtualKeyAuthenticator auth =
      new VirtualKeyAuthenticator(
          new ApiKeyAuthenticator(Map.of(ApiKeyAuthenticator.sha256Hex("sk-configured"), "acme")),
          table);

  private static VirtualKey key(Long revokedAt) {
    return new VirtualKey(
        "key_1",
        KeySecrets.sha256Hex(SECRET),
        "globex",
        "ci",
        List.of("gpt"),
        null,
        null,
        null,
        null,
        null,
        1,
        revokedAt);
  }

  @Test
  void shouldNameTenantKeyAndModelsOfAVirtualKey() throws WireError {
    // Given a virtual key in llm.keys
    table.apply("key_1", key(null));

    // When a call presents it either way
    Caller bearer = auth.caller(new DefaultHttpHeaders().set("Authorization", "Bearer " + SECRET));
    Caller xApiKey = auth.caller(new DefaultHttpHeaders().set("x-api-key", SECRET));

    // Then the caller is the key's tenant, with its id and model list
    assertThat(bearer).isEqualTo(new Caller("globex", "key_1", List.of("gpt")));
    assertThat(xApiKey).isEqualTo(bearer);
    assertThat(bearer.allows("gpt")).isTrue();
    assertThat(bearer.allows("claude")).isFalse();
  }

  @Test
  void shouldStillAcceptAConfiguredKeyWithoutAKeyId() throws WireError {
    Caller c = auth.caller(new DefaultHttpHeaders().set("x-api-key", "sk-configured"));
    assertThat(c).isEqualTo(Caller.of("acme"));
    assertThat(c.allows("anything")).isTrue();
  }

  @Test
  void shouldRefuseARevokedKeyLikeAnUnknownOneWithoutEchoingIt() {
    // Given a key that was revoked
    table.apply("key_1", key(5L));

    // Then it gets 401, and the message does not carry it
    assertThatThrownBy(() -> auth.caller(new DefaultHttpHeaders().set("x-api-key", SECRET)))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain(SECRET).contains("revoked");
            });
    assertThatThrownBy(() -> auth.tenant(new DefaultHttpHeaders()))
        .isInstanceOfSatisfying(WireError.class, e -> assertThat(e.status()).isEqualTo(401));
  }
}
