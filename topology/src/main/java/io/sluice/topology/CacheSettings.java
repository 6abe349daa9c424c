package io.sluice.topology;

import java.time.Duration;

/**
 * The response cache: on or off, how long an entry answers, and whether tenants share entries.
 *
 * @param perTenant true for {@code scope: tenant} (each tenant its own entries), false for global
 */
public record CacheSettings(boolean enabled, Duration ttl, boolean perTenant) {}
