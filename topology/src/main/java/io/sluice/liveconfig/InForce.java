package io.sluice.liveconfig;

import io.sluice.admission.TenantLimits;
import io.sluice.app.FrontDoors;
import io.sluice.app.Guardrails;
import io.sluice.config.Durations;
import io.sluice.config.SluiceConfig;
import io.sluice.guardrails.PiiGuards;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.RoutingSettings;
import io.sluice.topology.CacheSettings;
import java.util.Map;

/**
 * The config in force on this instance, and what is built from it once per version: the routing
 * table, the routing and cache settings, the tenants' limits, the PII guards (patterns compiled)
 * and the front door's configured keys. Immutable; {@link ConfigInForce} swaps it whole, so that
 * what the stream threads and the front door read per request is always one version's.
 *
 * @param version the applied version, 0 for the instance's own file (no version applied yet)
 * @param digest {@link LiveSections#digest} of its live sections
 * @param appliedAtMs when the version was applied by {@code sluice config apply} (0 for the file)
 * @param limits {@code tenants.<id>} rpm, tpm, max_parallel and budget, by tenant
 * @param pii the guards of {@code guardrails} and {@code tenants.<id>.guardrails}
 * @param apiKeys SHA-256 hex of each key of {@code tenants.<id>.api_keys}, to its tenant
 */
public record InForce(
    long version,
    String digest,
    long appliedAtMs,
    SluiceConfig config,
    ModelCatalog models,
    RoutingSettings routing,
    CacheSettings cache,
    TenantLimits limits,
    PiiGuards pii,
    Map<String, String> apiKeys) {

  public InForce {
    apiKeys = Map.copyOf(apiKeys);
  }

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
            io.sluice.semantic.SemanticCache.models(config)),
        TenantLimits.of(config.tenants()),
        Guardrails.pii(config),
        FrontDoors.apiKeys(config));
  }

  /** The configured tenants; empty when the config names none (any tenant is accepted). */
  public Map<String, SluiceConfig.TenantConfig> tenants() {
    return config.tenants() == null ? Map.of() : config.tenants();
  }
}
