package io.sluice.frontdoor.auth;

import java.util.List;

/**
 * Who is calling: the tenant, and the virtual key used, if one was.
 *
 * @param tenant the request's {@code tenant_id}
 * @param keyId the request's {@code key_id}: the id of the virtual key, null for a config key or
 *     none
 * @param models the aliases the key allows; empty: whatever the tenant may use
 */
public record Caller(String tenant, String keyId, List<String> models) {
  public Caller {
    models = models == null ? List.of() : List.copyOf(models);
  }

  /** A caller known only by tenant. */
  public static Caller of(String tenant) {
    return new Caller(tenant, null, List.of());
  }

  /** Whether the caller's key allows {@code model}. */
  public boolean allows(String model) {
    return models.isEmpty() || models.contains(model);
  }
}
