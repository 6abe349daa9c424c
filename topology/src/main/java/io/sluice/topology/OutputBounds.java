package io.sluice.topology;

import io.sluice.bounds.BoundErrors;
import io.sluice.bounds.RecordLimits;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TraceSpan;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.serde.AvroSize;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last check of every record the session processor writes: each output passes here before it is
 * forwarded, so none can be refused by the producer. An answer too large to write becomes a {@code
 * response_too_large} error (its usage and cost kept); a span too large loses attribute text; a
 * cache entry over {@code cache.max_entry_bytes} is not cached; anything else too large is left out
 * with a warning. Each change is counted in {@code sluice_records_bounded_total}.
 */
final class OutputBounds {
  private static final Logger log = LoggerFactory.getLogger(OutputBounds.class);

  /** Span attribute values are cut to this many characters when a span is too large. */
  static final int SPAN_ATTRIBUTE_CHARS = 1024;

  private final RecordLimits limits;
  private final GatewayMetrics metrics;

  OutputBounds(RecordLimits limits, GatewayMetrics metrics) {
    this.limits = limits;
    this.metrics = metrics;
  }

  RecordLimits limits() {
    return limits;
  }

  /** {@code out} as it may be written under {@code key}, or null to leave it out. */
  SessionOutput check(String key, SessionOutput out) {
    long bound = limits.valueBound(key);
    if (out instanceof SessionOutput.ResponseOut || out instanceof SessionOutput.ReplyOut) {
      // bounded where it is built, by response(): Answers decides on the bounded one; a reply is
      // the same Response under the same key, and a replay the stored, bounded first answer
      return out;
    }
    if (out instanceof SessionOutput.SpanOut s) {
      TraceSpan span = span(s.span(), bound);
      return span == null ? null : span == s.span() ? out : new SessionOutput.SpanOut(span);
    }
    if (out instanceof SessionOutput.CacheOut c) {
      if (c.response() != null
          && AvroSize.exceeds(c.response(), Math.min(bound, limits.maxCacheEntryBytes()))) {
        metrics.recordBounded("cache", "not_cached");
        return null;
      }
      return out;
    }
    SpecificRecord value = null;
    if (out instanceof SessionOutput.UsageOut u) {
      value = u.usage();
    } else if (out instanceof SessionOutput.ToolCallOut t) {
      value = t.call();
    } else if (out instanceof SessionOutput.ToolResultOut t) {
      value = t.result();
    }
    if (value != null && AvroSize.exceeds(value, bound)) {
      log.warn(
          "a {} record for {} is over {} bytes (kafka.max_record_bytes) and is left out",
          value.getSchema().getName(),
          abbreviate(key),
          bound);
      metrics.recordBounded(value.getSchema().getName(), "dropped");
      return null;
    }
    return out;
  }

  /**
   * {@code r}, or when it is too large to write, an {@code ERROR response_too_large} with the same
   * ids, usage, cost and attempts but no content.
   */
  Response response(Response r) {
    long bound = limits.valueBound(r.getSessionId());
    if (!AvroSize.exceeds(r, bound)) {
      return r;
    }
    long size = AvroSize.exact(r);
    metrics.recordBounded("Response", "replaced");
    log.warn(
        "the answer to {} is {} bytes, over the {}-byte record limit (kafka.max_record_bytes);"
            + " it is answered with response_too_large",
        abbreviate(r.getRequestId()),
        size,
        bound);
    return Response.newBuilder(r)
        .setStatus(ResponseStatus.ERROR)
        .setContent(null)
        .setToolCalls(List.of())
        .setError(BoundErrors.responseTooLarge(size, bound))
        .build();
  }

  private TraceSpan span(TraceSpan s, long bound) {
    if (!AvroSize.exceeds(s, bound)) {
      return s;
    }
    Map<String, String> attrs = new HashMap<>();
    s.getAttributes()
        .forEach(
            (k, v) -> {
              if (!k.startsWith("meta.")) {
                attrs.put(
                    k,
                    v.length() > SPAN_ATTRIBUTE_CHARS ? v.substring(0, SPAN_ATTRIBUTE_CHARS) : v);
              }
            });
    attrs.put("truncated", "true");
    TraceSpan cut = TraceSpan.newBuilder(s).setAttributes(attrs).build();
    if (AvroSize.exceeds(cut, bound)) {
      metrics.recordBounded("TraceSpan", "dropped");
      return null;
    }
    metrics.recordBounded("TraceSpan", "trimmed");
    return cut;
  }

  /** Ids are bounded by validation, but a log line never carries more than a prefix. */
  static String abbreviate(String s) {
    return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
