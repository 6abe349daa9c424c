package io.sluice.liveconfig;

import io.sluice.config.Durations;
import io.sluice.config.SluiceConfig;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.RoutingSettings;
import io.sluice.topology.CacheSettings;
import java.util.Map;

/**
 * The config in force on this instance, and what is built from it once per version: the routing
 * table, the routing and cache settings. Immutable; {@link ConfigInForce} swaps it whole.
 *
 * @param version the applied version, 0 for the instance's own file (no version applied yet)
 * @param digest {@link LiveSections#digest} of its live sections
 * @param appliedAtMs when the version was applied by {@code sluice config apply} (0 for the file)
 */
public record InForce(
    long version,
    String digest,
    long appliedAtMs,
    SluiceConfig config,
    ModelCatalog models,
    RoutingSettings routing,
    CacheSettings cache) {

  /** {@code config} as version {@code version}. */
  public static InForce of(long version, String digest, long appliedAtMs, SluiceConfig config) {
    return new InForce(
        version,
        digest,
        appliedAtMs,
        config,
        ModelCatalog.from(config),
        RoutingSettings.from(config.routing()),
        new CacheSettings(
            config.cache().enabled(),
            Durations.parse(config.cache().ttl(), "cache.ttl"),
            config.cache().scope().equals("tenant"),
            io.sluice.semantic.SemanticCache.models(config)));
  }

  /** The configured tenants; empty when the config names none (any tenant is accepted). */
  public Map<String, SluiceConfig.TenantConfig> tenants() {
    return config.tenants() == null ? Map.of() : config.tenants();
  }
}
