package io.sluice.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The response cache: on or off, how long an entry answers, whether tenants share entries, and
 * which model aliases also look in the semantic cache. Fixed, or following the config in force
 * ({@link #following}): then {@link #ttl}, {@link #perTenant} and {@link #active} are read from it
 * at each call, while {@link #enabled}, which decides whether the cache store is part of the
 * topology, and the semantic models, whose index and workers are built at start, stay as they were.
 */
public final class CacheSettings {
  private final boolean enabled;
  private final Duration ttl;
  private final boolean perTenant;
  private final Set<String> semanticModels;
  private final Supplier<CacheSettings> live;

  /**
   * @param perTenant true for {@code scope: tenant} (each tenant its own entries), false for global
   */
  public CacheSettings(boolean enabled, Duration ttl, boolean perTenant) {
    this(enabled, ttl, perTenant, Set.of(), null);
  }

  /**
   * @param semanticModels the model aliases whose requests also look in the semantic cache (empty:
   *     the semantic cache is off)
   */
  public CacheSettings(
      boolean enabled, Duration ttl, boolean perTenant, Set<String> semanticModels) {
    this(enabled, ttl, perTenant, semanticModels, null);
  }

  private CacheSettings(
      boolean enabled,
      Duration ttl,
      boolean perTenant,
      Set<String> semanticModels,
      Supplier<CacheSettings> live) {
    this.enabled = enabled;
    this.ttl = Objects.requireNonNull(ttl);
    this.perTenant = perTenant;
    this.semanticModels = Set.copyOf(semanticModels);
    this.live = live;
  }

  /** {@code start}'s store, with the other settings read from {@code current} at each call. */
  public static CacheSettings following(CacheSettings start, Supplier<CacheSettings> current) {
    return new CacheSettings(
        start.enabled, start.ttl, start.perTenant, start.semanticModels, current);
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

  /** The aliases that use the semantic cache (fixed at start). */
  public Set<String> semanticModels() {
    return semanticModels;
  }

  /** Whether requests for {@code model} look in the semantic cache after an exact miss. */
  public boolean semantic(String model) {
    return active() && semanticModels.contains(model);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheSettings c
        && c.enabled == enabled
        && c.ttl.equals(ttl)
        && c.perTenant == perTenant
        && c.semanticModels.equals(semanticModels)
        && c.live == live;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, ttl, perTenant, semanticModels);
  }

  @Override
  public String toString() {
    return "CacheSettings[enabled="
        + enabled
        + ", ttl="
        + ttl
        + ", perTenant="
        + perTenant
        + ", semanticModels="
        + semanticModels
        + (live != null ? ", live" : "")
        + "]";
  }
}
