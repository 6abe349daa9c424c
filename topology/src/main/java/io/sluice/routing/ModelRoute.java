package io.sluice.routing;

import java.util.List;

/**
 * How a model alias is served: its deployments, the strategy to pick one, retries and fallbacks.
 */
public record ModelRoute(
    String alias,
    String strategy,
    List<Deployment> deployments,
    int retries,
    List<String> fallbacks) {}
