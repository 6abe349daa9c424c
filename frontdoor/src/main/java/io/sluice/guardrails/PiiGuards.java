package io.sluice.guardrails;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The guard of each tenant: its own when {@code tenants.<id>.guardrails} is set, else the global
 * one. Immutable and thread-safe; or following a source ({@link #following}) that returns the
 * guards in force, read at each call, so that live configuration swaps every guard at once.
 */
public final class PiiGuards {
  private static final PiiGuards OFF = new PiiGuards(PiiGuard.OFF, Map.of());

  private final PiiGuard global;
  private final Map<String, PiiGuard> tenants;
  private final boolean allOff;
  private final Supplier<PiiGuards> live;

  public PiiGuards(PiiGuard global, Map<String, PiiGuard> tenants) {
    this.global = global;
    this.tenants = Map.copyOf(tenants);
    this.allOff =
        global.mode() == PiiMode.OFF
            && this.tenants.values().stream().allMatch(g -> g.mode() == PiiMode.OFF);
    this.live = null;
  }

  private PiiGuards(Supplier<PiiGuards> live) {
    this.global = PiiGuard.OFF;
    this.tenants = Map.of();
    this.allOff = false;
    this.live = live;
  }

  public static PiiGuards off() {
    return OFF;
  }

  /**
   * Guards that answer with the guards {@code current} returns at each call (compiled once per
   * config version by the caller, never per call); {@code current} must answer from memory.
   */
  public static PiiGuards following(Supplier<PiiGuards> current) {
    return new PiiGuards(current);
  }

  /** The guards of this moment: these, or the source's current ones (one version's, whole). */
  public PiiGuards now() {
    return live != null ? live.get().now() : this;
  }

  public PiiGuard forTenant(String tenantId) {
    if (live != null) {
      return live.get().forTenant(tenantId);
    }
    PiiGuard g = tenantId == null ? null : tenants.get(tenantId);
    return g != null ? g : global;
  }

  /** True when no tenant's mode is on: callers may skip the guard entirely. */
  public boolean allOff() {
    return live != null ? live.get().allOff() : allOff;
  }
}
