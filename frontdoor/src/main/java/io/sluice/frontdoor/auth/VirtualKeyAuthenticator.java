package io.sluice.frontdoor.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.keys.KeyLookup;
import io.sluice.keys.VirtualKey;
import java.util.Optional;

/**
 * {@code front_door.auth: keys} with virtual keys: the presented key is looked up among the
 * configured hashes ({@code tenants.<id>.api_keys}) and then among the keys of {@code llm.keys} (in
 * memory, kept current by a reader thread; no I/O here). A virtual key names the tenant, its id
 * becomes the request's {@code key_id}, and its {@code models} restrict the aliases; a revoked one
 * is refused like an unknown one. A key is never logged or echoed.
 */
public final class VirtualKeyAuthenticator implements Authenticator {
  private final ApiKeyAuthenticator configured;
  private final KeyLookup keys;

  public VirtualKeyAuthenticator(ApiKeyAuthenticator configured, KeyLookup keys) {
    this.configured = configured;
    this.keys = keys;
  }

  @Override
  public String tenant(HttpHeaders headers) throws WireError {
    return caller(headers).tenant();
  }

  @Override
  public Caller caller(HttpHeaders headers) throws WireError {
    String key = ApiKeyAuthenticator.presented(headers);
    String tenant = configured.configured(key);
    if (tenant != null) {
      return Caller.of(tenant);
    }
    Optional<VirtualKey> k = keys.byPlaintext(key);
    if (k.isEmpty() || !k.get().active()) {
      throw ApiKeyAuthenticator.unauthorized("unknown or revoked API key");
    }
    return new Caller(k.get().tenant(), k.get().id(), k.get().models());
  }
}
