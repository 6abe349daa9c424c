package io.sluice.frontdoor.auth;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * {@code front_door.auth: none}: no key is asked for; the tenant is the {@code x-sluice-tenant}
 * header, or {@value #DEFAULT_TENANT} without it. For trusted networks only.
 */
public final class HeaderTenantAuthenticator implements Authenticator {
  public static final String HEADER = "x-sluice-tenant";
  public static final String DEFAULT_TENANT = "default";

  @Override
  public String tenant(HttpHeaders headers) {
    String t = headers.get(HEADER);
    return t == null || t.isBlank() ? DEFAULT_TENANT : t.strip();
  }
}
