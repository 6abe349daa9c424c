package io.sluice.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The response cache: on or off, how long an entry answers, and whether tenants share entries.
 * Fixed, or following the config in force ({@link #following}): then {@link #ttl}, {@link
 * #perTenant} and {@link #active} are read from it at each call, while {@link #enabled}, which
 * decides whether the cache store is part of the topology, stays as it was at start.
 */
public final class CacheSettings {
  private final boolean enabled;
  private final Duration ttl;
  private final boolean perTenant;
  private final Supplier<CacheSettings> live;

  /**
   * @param perTenant true for {@code scope: tenant} (each tenant its own entries), false for global
   */
  public CacheSettings(boolean enabled, Duration ttl, boolean perTenant) {
    this(enabled, ttl, perTenant, null);
  }

  private CacheSettings(
      boolean enabled, Duration ttl, boolean perTenant, Supplier<CacheSettings> live) {
    this.enabled = enabled;
    this.ttl = Objects.requireNonNull(ttl);
    this.perTenant = perTenant;
    this.live = live;
  }

  /** {@code start}'s store, with the other settings read from {@code current} at each call. */
  public static CacheSettings following(CacheSettings start, Supplier<CacheSettings> current) {
    return new CacheSettings(start.enabled, start.ttl, start.perTenant, current);
  }

  /** Whether the cache store is part of the topology (fixed at start). */
  public boolean enabled() {
    return enabled;
  }

  /** Whether lookups and writes happen now: the store exists and the config in force enables it. */
  public boolean active() {
    return enabled && (live == null || live.get().active());
  }

  public Duration ttl() {
    return live == null ? ttl : live.get().ttl();
  }

  public boolean perTenant() {
    return live == null ? perTenant : live.get().perTenant();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheSettings c
        && c.enabled == enabled
        && c.ttl.equals(ttl)
        && c.perTenant == perTenant
        && c.live == live;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, ttl, perTenant);
  }

  @Override
  public String toString() {
    return "CacheSettings[enabled="
        + enabled
        + ", ttl="
        + ttl
        + ", perTenant="
        + perTenant
        + (live != null ? ", live" : "")
        + "]";
  }
}
