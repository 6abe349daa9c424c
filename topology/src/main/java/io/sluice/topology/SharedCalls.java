package io.sluice.topology;

import io.sluice.dispatch.CompletionSink;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The session side of single-flight ({@link io.sluice.singleflight.SingleFlight}): which dispatches
 * may share a provider call, under which key, and which completions answer with another request's
 * call.
 */
final class SharedCalls {
  private final CacheSettings cache;
  private final ToolSettings tools;

  SharedCalls(CacheSettings cache, ToolSettings tools) {
    this.cache = cache;
    this.tools = tools;
  }

  /**
   * The flight key of a first-round dispatch of {@code r} over {@code messages}: its cache key when
   * its answer is cacheable, so that identical means identical within the cache's scope (tenant or
   * global, model, parameters, tools, the whole conversation); null when it must make its own call.
   * A request that may start a tool round with the gateway's tool workers makes its own call: its
   * answer is not final, and each request's tools run for it alone.
   */
  String key(ResponseCache responses, Request r, List<ChatMessage> messages) {
    if (!responses.cacheable(r) || (tools.enabled() && !r.getTools().isEmpty())) {
      return null;
    }
    return CacheKeys.of(r, messages, cache.perTenant());
  }

  /** The request whose call answered this completion (its header), or null for its own call. */
  static String sharedCallOf(Headers headers) {
    Header h = headers == null ? null : headers.lastHeader(CompletionSink.SHARED_CALL_OF);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
