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
 * detectors are linear scans, a few microseconds per kilobyte (docs/BENCHMARKS.md). The guards may
 * follow the config in force ({@link PiiGuards#following}): each request is checked by the guards
 * of one version.
 */
final class IngestPii {
  private final PiiGuards guards;
  private final PiiMetrics metrics;

  IngestPii(PiiGuards guards, MeterRegistry registry) {
    this.guards = guards;
    this.metrics = new PiiMetrics(registry, "ingest");
  }

  /** What goes on: the masked request, or a rejection when the tenant's mode is block. */
  Result apply(Request r) {
    PiiGuards now = guards.now(); // per request: the guards may follow live configuration
    if (now.allOff()) {
      return new Result(r, Optional.empty());
    }
    PiiOutcome out = now.forTenant(r.getTenantId()).apply(r);
    metrics.record(out);
    if (out.blocked()) {
      return new Result(
          r, Optional.of(new RequestValidator.Rejection(PiiOutcome.CODE, out.message())));
    }
    return new Result(out.request(), Optional.empty());
  }

  record Result(Request request, Optional<RequestValidator.Rejection> rejection) {}
}
