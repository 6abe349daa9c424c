package io.sluice.config;

import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import java.util.HashMap;
import java.util.Map;

/** The front door's keys a config names itself ({@code tenants.<id>.api_keys}, SHA-256 hex). */
public final class ConfiguredKeys {
  private ConfiguredKeys() {}

  /** SHA-256 hex of every configured key, normalised, to its tenant. */
  public static Map<String, String> byHash(SluiceConfig config) {
    Map<String, String> byHash = new HashMap<>();
    if (config.tenants() != null) {
      config
          .tenants()
          .forEach(
              (tenant, t) ->
                  t.apiKeys().forEach(h -> byHash.put(ApiKeyAuthenticator.normalize(h), tenant)));
    }
    return byHash;
  }
}
