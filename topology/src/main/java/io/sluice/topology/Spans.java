package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.TraceSpan;
import io.sluice.internal.PendingRequest;
import java.util.HashMap;
import java.util.Map;

/** Builds the spans of a request; every span of one request shares its trace id. */
final class Spans {
  private Spans() {}

  static TraceSpan span(
      PendingRequest p,
      String name,
      String parent,
      long start,
      long end,
      boolean ok,
      Map<String, String> attrs) {
    return span(p, TraceIds.spanId(), name, parent, start, end, ok, attrs);
  }

  static TraceSpan span(
      PendingRequest p,
      String spanId,
      String name,
      String parent,
      long start,
      long end,
      boolean ok,
      Map<String, String> attrs) {
    return span(p.getRequest(), p.getTraceId(), spanId, name, parent, start, end, ok, attrs);
  }

  /** A span of request {@code r} in trace {@code traceId}, for a request that is not pending. */
  static TraceSpan span(
      Request r,
      String traceId,
      String spanId,
      String name,
      String parent,
      long start,
      long end,
      boolean ok,
      Map<String, String> attrs) {
    Map<String, String> all = new HashMap<>(attrs);
    all.putIfAbsent("model", r.getModel());
    r.getMetadata().forEach((k, v) -> all.put("meta." + k, v));
    return TraceSpan.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId)
        .setParentSpanId(parent)
        .setRequestId(r.getRequestId())
        .setSessionId(r.getSessionId())
        .setTenantId(r.getTenantId())
        .setName(name)
        .setStartMs(start)
        .setEndMs(Math.max(start, end))
        .setStatus(ok ? "OK" : "ERROR")
        .setAttributes(all)
        .build();
  }
}
