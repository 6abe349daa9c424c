package io.sluice.admission;

import io.sluice.config.SluiceConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The limits of a tenant, by its id. Called on the stream thread for every request and usage
 * record: it must answer from memory. Live configuration can plug a changing source in here.
 */
@FunctionalInterface
public interface TenantLimits {
  /** The limits of {@code tenantId} ({@link Limits#NONE} when it has none). */
  Limits forTenant(String tenantId);

  /** The limits of {@code tenants.<id>} of a config. */
  static TenantLimits of(Map<String, SluiceConfig.TenantConfig> tenants) {
    Map<String, Limits> byId = new HashMap<>();
    if (tenants != null) {
      tenants.forEach((id, t) -> byId.put(id, Limits.of(t)));
    }
    return id -> byId.getOrDefault(id, Limits.NONE);
  }
}
