package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.Dispatcher;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.routing.ModelCatalog;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything the topology is built from: topic names, serdes, the routing table, tenants, the
 * session settings, the request limits and the dispatcher (handed to processors, never called while
 * building).
 */
public record TopologySpec(
    Topics topics,
    EventSerdes serdes,
    ModelCatalog models,
    Map<String, SluiceConfig.TenantConfig> tenants,
    SessionSettings sessions,
    CacheSettings cache,
    ToolSettings tools,
    RequestLimits limits,
    GatewayMetrics metrics,
    Supplier<Dispatcher> dispatcher) {

  /** The topics the topology reads and writes. */
  public record Topics(
      String requests,
      String responses,
      String traces,
      String usage,
      String dlq,
      String completions,
      String cache,
      String toolCalls,
      String toolResults) {
    public static Topics from(SluiceConfig config) {
      Map<String, String> n = config.topicNames();
      return new Topics(
          n.get("requests"),
          n.get("responses"),
          n.get("traces"),
          n.get("usage"),
          n.get("dlq"),
          n.get("completions"),
          n.get("cache"),
          n.get("tool-calls"),
          n.get("tool-results"));
    }
  }
}
