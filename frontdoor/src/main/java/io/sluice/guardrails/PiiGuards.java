package io.sluice.guardrails;

import java.util.Map;

/**
 * The guard of each tenant: its own when {@code tenants.<id>.guardrails} is set, else the global
 * one. Immutable and thread-safe.
 */
public final class PiiGuards {
  private static final PiiGuards OFF = new PiiGuards(PiiGuard.OFF, Map.of());

  private final PiiGuard global;
  private final Map<String, PiiGuard> tenants;

  public PiiGuards(PiiGuard global, Map<String, PiiGuard> tenants) {
    this.global = global;
    this.tenants = Map.copyOf(tenants);
  }

  public static PiiGuards off() {
    return OFF;
  }

  public PiiGuard forTenant(String tenantId) {
    PiiGuard g = tenantId == null ? null : tenants.get(tenantId);
    return g != null ? g : global;
  }

  /** True when no tenant's mode is on: callers may skip the guard entirely. */
  public boolean allOff() {
    return global.mode() == PiiMode.OFF
        && tenants.values().stream().allMatch(g -> g.mode() == PiiMode.OFF);
  }
}
