/**
 * The routing table and how a deployment is chosen: {@link io.sluice.routing.ModelCatalog} maps a
 * request's {@code model} to a {@link io.sluice.routing.ModelRoute} (deployments, strategy,
 * retries, fallbacks); {@link io.sluice.routing.Router} picks a deployment by strategy, skipping
 * those whose circuit is open, and learns from each call's outcome. Thread-safe.
 */
package io.sluice.routing;
