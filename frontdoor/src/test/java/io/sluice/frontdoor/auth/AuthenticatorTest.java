package io.sluice.frontdoor.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.sluice.frontdoor.wire.WireError;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private final ApiKeyAuthenticator keys =
      new ApiKeyAuthenticator(Map.of(ApiKeyAuthenticator.sha256Hex("sk-acme-1"), "acme"));

  @Test
  void shouldFindTheTenantOfABearerKeyOrAnXApiKey() throws WireError {
    assertThat(keys.tenant(new DefaultHttpHeaders().set("Authorization", "Bearer sk-acme-1")))
        .isEqualTo("acme");
    assertThat(keys.tenant(new DefaultHttpHeaders().set("x-api-key", "sk-acme-1")))
        .isEqualTo("acme");
  }

  @Test
  void shouldRefuseAMissingOrUnknownKeyWith401WithoutEchoingIt() {
    assertThatThrownBy(() -> keys.tenant(new DefaultHttpHeaders()))
        .isInstanceOfSatisfying(WireError.class, e -> assertThat(e.status()).isEqualTo(401));
    assertThatThrownBy(() -> keys.tenant(new DefaultHttpHeaders().set("x-api-key", "sk-wrong")))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain("sk-wrong");
            });
  }

  @Test
  void shouldAcceptAKeyAddedAndRefuseAKeyRemovedWhenFollowingTheKeysInForce() throws WireError {
    // Given an authenticator following the configured keys in force: acme's only
    AtomicReference<Map<String, String>> inForce =
        new AtomicReference<>(Map.of(ApiKeyAuthenticator.sha256Hex("sk-acme-1"), "acme"));
    ApiKeyAuthenticator live = ApiKeyAuthenticator.following(inForce::get);
    assertThat(live.tenant(new DefaultHttpHeaders().set("x-api-key", "sk-acme-1")))
        .isEqualTo("acme");

    // When a new version gives beta a key and takes acme's away
    inForce.set(Map.of(ApiKeyAuthenticator.sha256Hex("sk-beta-1"), "beta"));

    // Then the next call with beta's key is beta's, and acme's key gets 401
    assertThat(live.tenant(new DefaultHttpHeaders().set("x-api-key", "sk-beta-1")))
        .isEqualTo("beta");
    assertThatThrownBy(() -> live.tenant(new DefaultHttpHeaders().set("x-api-key", "sk-acme-1")))
        .isInstanceOfSatisfying(WireError.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void shouldHashKeysAsLowerCaseSha256Hex() {
    // echo -n abc | sha256sum
    assertThat(ApiKeyAuthenticator.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void shouldTakeTheTenantHeaderOrTheDefaultWithoutAuth() {
    HeaderTenantAuthenticator none = new HeaderTenantAuthenticator();
    assertThat(none.tenant(new DefaultHttpHeaders().set("x-sluice-tenant", "beta")))
        .isEqualTo("beta");
    assertThat(none.tenant(new DefaultHttpHeaders())).isEqualTo("default");
  }
}
