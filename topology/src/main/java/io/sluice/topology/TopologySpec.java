package io.sluice.topology;

import io.sluice.bounds.RecordLimits;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.Dispatcher;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.routing.ModelCatalog;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything the topology is built from: topic names, serdes, the routing table, tenants, the
 * session settings, the dispatcher (handed to processors, never called while building), the size
 * bounds of every record written and the bounds on a request's shape.
 */
public record TopologySpec(
    Topics topics,
    EventSerdes serdes,
    ModelCatalog models,
    Map<String, SluiceConfig.TenantConfig> tenants,
    SessionSettings sessions,
    CacheSettings cache,
    ToolSettings tools,
    GatewayMetrics metrics,
    Supplier<Dispatcher> dispatcher,
    RecordLimits limits,
    RequestLimits requestLimits,
    KeySettings keys,
    io.sluice.guardrails.PiiGuards pii) {

  /** A spec with the default record and request limits, no virtual keys and PII redaction off. */
  public TopologySpec(
      Topics topics,
      EventSerdes serdes,
      ModelCatalog models,
      Map<String, SluiceConfig.TenantConfig> tenants,
      SessionSettings sessions,
      CacheSettings cache,
      ToolSettings tools,
      GatewayMetrics metrics,
      Supplier<Dispatcher> dispatcher) {
    this(
        topics,
        serdes,
        models,
        tenants,
        sessions,
        cache,
        tools,
        metrics,
        dispatcher,
        RecordLimits.DEFAULTS,
        RequestLimits.defaults(),
        KeySettings.none(),
        io.sluice.guardrails.PiiGuards.off());
  }

  /**
   * The topics the topology reads and writes; {@code replies} is the configured reply topic, whose
   * subjects hold the schema ids of every reply record (requests may name other reply topics).
   */
  public record Topics(
      String requests,
      String responses,
      String traces,
      String usage,
      String dlq,
      String completions,
      String cache,
      String toolCalls,
      String toolResults,
      String replies,
      ReplyTopics replyTopics) {
    /** As below, with only {@code replies} allowed as a reply topic. */
    public Topics(
        String requests,
        String responses,
        String traces,
        String usage,
        String dlq,
        String completions,
        String cache,
        String toolCalls,
        String toolResults,
        String replies) {
      this(
          requests,
          responses,
          traces,
          usage,
          dlq,
          completions,
          cache,
          toolCalls,
          toolResults,
          replies,
          ReplyTopics.of(replies, List.of()));
    }

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
          n.get("tool-results"),
          n.get("replies"),
          ReplyTopics.of(n.get("replies"), config.topics().replyTopics()));
    }
  }
}
