package io.sluice.topology;

import java.time.Duration;
import java.util.Set;

/**
 * The response cache: on or off, how long an entry answers, and whether tenants share entries.
 *
 * @param perTenant true for {@code scope: tenant} (each tenant its own entries), false for global
 * @param semanticModels the model aliases whose requests also look in the semantic cache (empty:
 *     the semantic cache is off)
 */
public record CacheSettings(
    boolean enabled, Duration ttl, boolean perTenant, Set<String> semanticModels) {
  public CacheSettings(boolean enabled, Duration ttl, boolean perTenant) {
    this(enabled, ttl, perTenant, Set.of());
  }

  public CacheSettings {
    semanticModels = Set.copyOf(semanticModels);
  }

  /** Whether requests for {@code model} look in the semantic cache after an exact miss. */
  public boolean semantic(String model) {
    return enabled && semanticModels.contains(model);
  }
}
