package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.Dispatcher;
import io.sluice.routing.ModelCatalog;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything the topology is built from: topic names, serdes, the routing table, tenants, the
 * session settings and the dispatcher (handed to processors, never called while building).
 */
public record TopologySpec(
    Topics topics,
    EventSerdes serdes,
    ModelCatalog models,
    Map<String, SluiceConfig.TenantConfig> tenants,
    SessionSettings sessions,
    Supplier<Dispatcher> dispatcher) {

  /** The topics the topology reads and writes. */
  public record Topics(
      String requests,
      String responses,
      String traces,
      String usage,
      String dlq,
      String completions) {
    public static Topics from(SluiceConfig config) {
      Map<String, String> n = config.topicNames();
      return new Topics(
          n.get("requests"),
          n.get("responses"),
          n.get("traces"),
          n.get("usage"),
          n.get("dlq"),
          completionsTopic(config));
    }

    /** {@code <application_id>-completions} unless {@code topics.completions} names another. */
    public static String completionsTopic(SluiceConfig config) {
      return config.topics().completions() != null
          ? config.topics().completions()
          : config.kafka().applicationId() + "-completions";
    }
  }
}
