package io.sluice.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.events.Request;
import io.sluice.guardrails.PiiGuards;
import io.sluice.guardrails.PiiMetrics;
import io.sluice.guardrails.PiiOutcome;
import java.util.Optional;

/**
 * PII redaction at ingest, for requests produced straight to Kafka (the front door has masked its
 * own already; masking a masked request changes nothing): before the session history, the cache
 * key, the pending store, dispatch and the spans see the request. Runs on the stream thread; the
 * detectors are linear scans, a few microseconds per kilobyte (docs/BENCHMARKS.md).
 */
final class IngestPii {
  private final PiiGuards guards;
  private final PiiMetrics metrics;
  private final boolean off;

  IngestPii(PiiGuards guards, MeterRegistry registry) {
    this.guards = guards;
    this.metrics = new PiiMetrics(registry, "ingest");
    this.off = guards.allOff();
  }

  /** What goes on: the masked request, or a rejection when the tenant's mode is block. */
  Result apply(Request r) {
    if (off) {
      return new Result(r, Optional.empty());
    }
    PiiOutcome out = guards.forTenant(r.getTenantId()).apply(r);
    metrics.record(out);
    if (out.blocked()) {
      return new Result(
          r, Optional.of(new RequestValidator.Rejection(PiiOutcome.CODE, out.message())));
    }
    return new Result(out.request(), Optional.empty());
  }

  record Result(Request request, Optional<RequestValidator.Rejection> rejection) {}
}
